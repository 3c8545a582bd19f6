"""``EventHub``: the app's lifecycle-event subscribers, and the ASGI step that publishes to them.

Subscribers are registered before startup (``app.on(RequestReceived, handler)``). At startup the
app asks the hub to ``wrap`` its ASGI stack: with no request/response subscribers the stack is
returned untouched, so an app nobody listens to pays nothing per request. Subscribers may be
plain functions or coroutine functions; one that raises is logged and the others (and the
request) carry on.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .events import RequestReceived, ResponsePrepared

__all__ = ["EventHub", "Subscriber", "emit"]

E = TypeVar("E")
Subscriber = Callable[[Any], Any]
"""``handler(event)``; may return an awaitable (awaited before the request goes on)."""

_log = logging.getLogger("lexigram.web.events")


async def emit(subscribers: Sequence[Subscriber], event: object) -> None:
    """Call each subscriber with ``event`` in order; a failing subscriber is logged, never
    raised."""
    for subscriber in subscribers:
        try:
            outcome = subscriber(event)
            if outcome is not None and inspect.isawaitable(outcome):
                await outcome
        except Exception:
            _log.exception(
                "subscriber %s of %s failed",
                getattr(subscriber, "__qualname__", repr(subscriber)),
                type(event).__name__,
            )


class EventHub:
    """Subscribers by event type, owned by one app (exact type match, registration order)."""

    __slots__ = ("_frozen", "_subscribers")

    def __init__(self) -> None:
        self._subscribers: dict[type, list[Subscriber]] = {}
        self._frozen = False

    @overload
    def on(self, event_type: type[E]) -> Callable[[Callable[[E], Any]], Callable[[E], Any]]: ...
    @overload
    def on(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[E], Any]: ...
    def on(self, event_type: type[E], handler: Callable[[E], Any] | None = None) -> Any:
        """Subscribe ``handler`` to ``event_type`` (or decorate: ``@hub.on(RequestReceived)``)."""
        if not isinstance(event_type, type):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"subscribe to an event class (e.g. RequestReceived), got {event_type!r}"
            )
        if handler is None:

            def decorate(fn: Callable[[E], Any]) -> Callable[[E], Any]:
                self.on(event_type, fn)
                return fn

            return decorate
        if not callable(handler):
            raise TypeError(f"an event subscriber must be callable, got {handler!r}")
        if self._frozen:
            raise RuntimeError(
                "subscribers are fixed when the app starts; call app.on(...) before startup"
            )
        self._subscribers.setdefault(event_type, []).append(handler)
        return handler

    def subscribers(self, event_type: type) -> tuple[Subscriber, ...]:
        return tuple(self._subscribers.get(event_type, ()))

    def has_subscribers(self, event_type: type) -> bool:
        return bool(self._subscribers.get(event_type))

    def freeze(self) -> None:
        """Refuse new subscribers (the app started); ``thaw`` after shutdown."""
        self._frozen = True

    def thaw(self) -> None:
        self._frozen = False

    async def emit(self, event: object) -> None:
        """Publish ``event`` to the subscribers of its type (nothing when there are none)."""
        subscribers = self._subscribers.get(type(event))
        if subscribers:
            await emit(tuple(subscribers), event)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """``app``, publishing ``RequestReceived``/``ResponsePrepared`` for HTTP requests.

        ``app`` itself when neither event has subscribers."""
        received = self.subscribers(RequestReceived)
        prepared = self.subscribers(ResponsePrepared)
        if not received and not prepared:
            return app
        return _publishing(app, received, prepared)


def _publishing(
    app: ASGIApp, received: tuple[Subscriber, ...], prepared: tuple[Subscriber, ...]
) -> ASGIApp:
    async def publishing(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if received:
            await emit(received, RequestReceived(path, method))
        if not prepared:
            await app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                await emit(prepared, ResponsePrepared(path, message["status"], method))
            await send(message)

        await app(scope, receive, sending)

    return publishing
