"""``ObservabilityMiddleware``: the outermost layer when tracing, metrics or the access log is
on; absent otherwise (requests then pay nothing for observability).

Per HTTP or WebSocket request it creates an ``Observation``, makes it current, lets each
feature ``begin``, watches the messages sent (status, end of the body, added headers, an
event stream or an accepted WebSocket) and lets each feature ``finish`` once the app returned.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .observation import OBSERVATION, Observation, method_label

__all__ = ["Feature", "ObservabilityMiddleware"]

_log = logging.getLogger("lexigram.web")
_EVENT_STREAM = b"text/event-stream"


class Feature:
    """One observability feature's per-request hooks (each a no-op unless overridden).

    ``begin`` runs before the app, ``finish`` after it (the status, route and timings are
    known), ``opened``/``closed`` around an open WebSocket or event stream when ``streams``.
    """

    streams = False

    def begin(self, obs: Observation) -> None:
        """Before the app runs."""

    def finish(self, obs: Observation) -> None:
        """After the app returned (or raised)."""

    def opened(self, obs: Observation) -> None:
        """A WebSocket was accepted or an event stream started (when ``streams``)."""

    def closed(self, obs: Observation) -> None:
        """The WebSocket or event stream ``opened`` announced has ended."""


def _overrides(feature: Feature, name: str) -> bool:
    return getattr(type(feature), name) is not getattr(Feature, name)


class ObservabilityMiddleware:
    """Wraps ``app`` with ``features`` (their order: begins in order, finishes reversed)."""

    __slots__ = ("_begins", "_closes", "_finishes", "_opens", "app")

    def __init__(self, app: ASGIApp, features: Sequence[Feature]) -> None:
        self.app = app
        self._begins = tuple(f.begin for f in features if _overrides(f, "begin"))
        self._finishes = tuple(f.finish for f in reversed(features) if _overrides(f, "finish"))
        self._opens = tuple(f.opened for f in features if f.streams)
        self._closes = tuple(f.closed for f in reversed(features) if f.streams)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        method = method_label(scope["method"]) if kind == "http" else "GET"
        obs = Observation(scope, kind, method, perf_counter())
        scope[OBSERVATION] = obs
        token = obs.activate()
        observed = _ObservedSend(obs, send, self._opens)
        try:
            for begin in self._begins:
                begin(obs)
            await self.app(scope, receive, observed)
        except BaseException as exc:
            if obs.status == 0:
                obs.status = 500
            if obs.exception is None and isinstance(exc, Exception):
                obs.exception = exc
            raise
        finally:
            self._finish(obs)
            obs.deactivate(token)
            # break the scope <-> observation and exception <-> frame cycles now, and let go
            # of the observation from the send the app holds, so nothing of it waits for the
            # cyclic garbage collector (even when the app's own objects do)
            obs.exception = None
            observed.obs = None
            scope.pop(OBSERVATION, None)

    def _finish(self, obs: Observation) -> None:
        if obs.end == 0.0:
            obs.end = perf_counter()
        if obs.status == 0:
            obs.status = 500 if obs.kind == "http" else 403
        try:
            if obs.stream is not None:
                for closed in self._closes:
                    closed(obs)
            for finish in self._finishes:
                finish(obs)
        except Exception:
            _log.exception("recording the request's observability data failed")


class _ObservedSend:
    """The ``send`` the app gets: notes the status, the end of the body, an event stream or an
    accepted WebSocket, and adds the observation's headers to the response start. One slotted
    object per request (a closure would be four objects for the garbage collector)."""

    __slots__ = ("obs", "opens", "send")

    def __init__(self, obs: Observation, send: Send, opens: tuple[Any, ...]) -> None:
        self.obs: Observation | None = obs
        self.send = send
        self.opens = opens

    async def __call__(self, message: Message) -> None:
        obs = self.obs
        if obs is None:  # the request is over (a send after the app returned)
            await self.send(message)
            return
        kind = message["type"]
        if kind == "http.response.start":
            obs.status = message["status"]
            extra = obs.headers
            if extra:
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            if self.opens and _is_event_stream(message):
                obs.stream = "sse"
                for opened in self.opens:
                    opened(obs)
        elif kind == "http.response.body":
            if not message.get("more_body", False):
                obs.end = perf_counter()
        elif kind == "websocket.accept":
            obs.status = 101
            if self.opens:
                obs.stream = "websocket"
                for opened in self.opens:
                    opened(obs)
        elif kind == "websocket.http.response.start":
            obs.status = message["status"]
        await self.send(message)


def _is_event_stream(message: Message) -> bool:
    headers: Any = message.get("headers", ())
    for name, value in headers:
        if name == b"content-type":
            return bytes(value).startswith(_EVENT_STREAM)
    return False
