"""``ObservabilityMiddleware``: the outermost layer when tracing, metrics or the access log is
on; absent otherwise (requests then pay nothing for observability). A feature that is the only
one on may bring a faster layer of its own (``Feature.alone``: metrics alone do).

Per HTTP or WebSocket request it creates an ``Observation``, makes it current, lets each
feature ``begin``, the observation (the app's ``send``) notes the messages sent (status, end
of the body, added headers, an event stream or an accepted WebSocket), and lets each feature
``finish`` once the app returned.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from time import perf_counter

from starlette.types import ASGIApp, Receive, Scope, Send

from .observation import METHODS, OBSERVATION, Observation, activate, deactivate

__all__ = ["Feature", "ObservabilityMiddleware", "Started"]

_log = logging.getLogger("lexigram.web")


class Started:
    """The number of HTTP requests begun, counted by the middleware for a feature that holds
    one (cheaper than a ``begin`` call per request): the feature's in-flight requests are
    those begun less those it recorded."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class Feature:
    """One observability feature's per-request hooks (each a no-op unless overridden).

    ``begin`` runs before the app, ``finish`` after it (the status, route and timings are
    known), ``opened``/``closed`` around an open WebSocket or event stream when ``streams``.
    ``started``: a counter the middleware keeps (at most one feature of an app has one).
    """

    streams = False
    started: Started | None = None

    def begin(self, obs: Observation) -> None:
        """Before the app runs."""

    def finish(self, obs: Observation) -> None:
        """After the app returned (or raised)."""

    def opened(self, obs: Observation) -> None:
        """A WebSocket was accepted or an event stream started (when ``streams``)."""

    def closed(self, obs: Observation) -> None:
        """The WebSocket or event stream ``opened`` announced has ended."""

    def alone(self, app: ASGIApp) -> ASGIApp | None:
        """When this is the app's only feature: ``app`` wrapped in a layer of its own, faster
        than the general middleware; ``None`` to use the general middleware."""
        return None


def _overrides(feature: Feature, name: str) -> bool:
    return getattr(type(feature), name) is not getattr(Feature, name)


class ObservabilityMiddleware:
    """Wraps ``app`` with ``features`` (their order: begins in order, finishes reversed)."""

    __slots__ = ("_begins", "_closes", "_finishes", "_opens", "_started", "app")

    def __init__(self, app: ASGIApp, features: Sequence[Feature]) -> None:
        self.app = app
        counters = [f.started for f in features if f.started is not None]
        if len(counters) > 1:
            raise ValueError("at most one observability feature may count begun requests")
        self._started = counters[0] if counters else None
        self._begins = tuple(f.begin for f in features if _overrides(f, "begin"))
        self._finishes = tuple(f.finish for f in reversed(features) if _overrides(f, "finish"))
        self._opens = tuple(f.opened for f in features if f.streams)
        self._closes = tuple(f.closed for f in reversed(features) if f.streams)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            method: str = scope["method"]
            if method not in METHODS:
                method = "_OTHER"
            started = self._started
            if started is not None:
                started.count += 1
        elif kind == "websocket":
            method = "GET"
        else:
            await self.app(scope, receive, send)
            return
        obs = Observation(scope, kind, method, perf_counter(), send, self._opens)
        scope[OBSERVATION] = obs
        token = activate(obs)
        try:
            for begin in self._begins:
                begin(obs)
            await self.app(scope, receive, obs)
        except BaseException as exc:
            if obs.status == 0:
                obs.status = 500
            if obs.exception is None and isinstance(exc, Exception):
                obs.exception = exc
            raise
        finally:
            if obs.end == 0.0:
                obs.end = perf_counter()
            if obs.status == 0:
                obs.status = 500 if kind == "http" else 403
            try:
                if obs.stream is not None:
                    for closed in self._closes:
                        closed(obs)
                for finish in self._finishes:
                    finish(obs)
            except Exception:
                _log.exception("recording the request's observability data failed")
            deactivate(token)
            # break the scope <-> observation and exception <-> frame cycles now, so nothing
            # of it waits for the cyclic garbage collector (even when the app's own objects
            # do); a send after the request (the app keeps its send) opens no stream
            del scope[OBSERVATION]
            if obs.exception is not None:
                obs.exception = None
            if obs.opens:
                obs.opens = ()
