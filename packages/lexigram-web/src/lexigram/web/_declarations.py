"""The declaration API of ``LexigramApp``: routes, controllers, services, middleware, filters.

Everything declared here is read once, when the app starts; declaring after startup raises.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, TypeVar, Unpack, overload

from starlette.middleware import Middleware

from lexigram.di import Container, Lifetime
from lexigram.http_errors import HandlerKey

from ._declare.decorators import RouteOptions, WebSocketOptions, route
from ._events_hub import EventHub
from ._sse.route import sse
from ._ws.handler import websocket_handler

__all__ = ["AppDeclarations"]

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)
E = TypeVar("E")


class AppDeclarations:
    """Mixin holding what an app declares (see ``LexigramApp``)."""

    container: Container
    _started: bool
    _controllers: list[type]
    _functions: list[Callable[..., Any]]
    _providers: list[Any]
    _modules: list[Any]
    _middleware: list[Any]
    _exception_handlers: dict[HandlerKey, Any]
    _filters: list[Any]
    _guards: list[Any]
    _interceptors: list[Any]
    _pipes: list[Any]
    _error_statuses: dict[type[BaseException], int]
    _overrides: list[tuple[Any, Any]]
    events: EventHub

    def _check_not_started(self, what: str) -> None:
        if self._started:
            raise RuntimeError(f"cannot {what} after the app started; do it before startup")

    def add_controller(self, controller: type) -> None:
        self._check_not_started("add a controller")
        self._controllers.append(controller)

    def add_route(self, handler: Callable[..., Any]) -> None:
        """Add a function decorated with ``@get``/``@post``/... from ``lexigram.web``."""
        self._check_not_started("add a route")
        self._functions.append(handler)

    def add_middleware(self, middleware: Any, **options: Any) -> None:
        """Append a middleware (innermost so far); ``options`` are passed to its constructor."""
        self._check_not_started("add middleware")
        self._middleware.append(Middleware(middleware, **options) if options else middleware)

    def add_exception_handler(self, key: HandlerKey, handler: Any) -> None:
        """App-level handler for an exception type or a status code: ``handler(request, exc)``."""
        self._check_not_started("add an exception handler")
        self._exception_handlers[key] = handler

    def add_filter(self, filter_: Any) -> None:
        self._check_not_started("add a filter")
        self._filters.append(filter_)

    def use_guards(self, *guards: Any) -> None:
        self._check_not_started("add guards")
        self._guards.extend(guards)

    def use_interceptors(self, *interceptors: Any) -> None:
        self._check_not_started("add interceptors")
        self._interceptors.extend(interceptors)

    def use_pipes(self, *pipes: Any) -> None:
        self._check_not_started("add pipes")
        self._pipes.extend(pipes)

    def error_status(self, error_type: type[BaseException], status_code: int) -> None:
        """Map ``error_type`` to ``status_code`` for this app only."""
        self._check_not_started("map an error status")
        self._error_statuses[error_type] = status_code

    def add_module(self, module: Any) -> None:
        self._check_not_started("add a module")
        self._modules.append(module)

    def add_provider(self, provider: Any) -> None:
        self._check_not_started("add a provider")
        self._providers.append(provider)

    def override(self, service: Any, replacement: Any) -> None:
        """Replace a container service for this app's lifetime (tests); call before startup."""
        self._check_not_started("override a service")
        self._overrides.append((service, replacement))

    def _withdraw_overrides(self, entries: list[tuple[Any, Any]]) -> None:
        """Forget overrides a test client added (its own entries, by identity)."""
        self._overrides[:] = [o for o in self._overrides if not any(o is e for e in entries)]

    @overload
    def on(self, event_type: type[E]) -> Callable[[Callable[[E], Any]], Callable[[E], Any]]: ...
    @overload
    def on(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[E], Any]: ...
    def on(self, event_type: type[E], handler: Callable[[E], Any] | None = None) -> Any:
        """Subscribe ``handler(event)`` (sync or async) to a lifecycle event type
        (``RequestReceived``, ``ResponsePrepared``, ``LifespanStartupCompleted``,
        ``LifespanShutdownCompleted``); without ``handler``, a decorator. Before startup only:
        the request pipeline includes the publishing step only when there are subscribers."""
        self._check_not_started("subscribe to an event")
        if handler is None:
            return self.events.on(event_type)
        return self.events.on(event_type, handler)

    # -- quickstart services -------------------------------------------------------------------
    def _service(self, cls: C, lifetime: Lifetime) -> C:
        self.container.register(cls, lifetime=lifetime)
        return cls

    def singleton(self, cls: C) -> C:
        """Register ``cls`` in this app's container as a singleton (class decorator)."""
        return self._service(cls, Lifetime.SINGLETON)

    def scoped(self, cls: C) -> C:
        """Register ``cls`` as request-scoped (one instance per request)."""
        return self._service(cls, Lifetime.SCOPED)

    def injectable(self, cls: C) -> C:
        """Register ``cls`` as transient (a new instance per injection)."""
        return self._service(cls, Lifetime.TRANSIENT)

    transient = injectable

    # -- quickstart routes ---------------------------------------------------------------------
    def route(
        self, method: str, path: str = "", **options: Unpack[RouteOptions]
    ) -> Callable[[F], F]:
        """Decorate a function as the handler of ``method`` on ``path`` in this app."""
        decorate = route(method, path, **options)

        def register(fn: F) -> F:
            decorate(fn)
            if fn not in self._functions:
                self.add_route(fn)
            return fn

        return register

    def get(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("GET", path, **options)

    def post(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("POST", path, **options)

    def put(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("PUT", path, **options)

    def patch(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("PATCH", path, **options)

    def delete(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("DELETE", path, **options)

    def head(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("HEAD", path, **options)

    def options(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("OPTIONS", path, **options)

    def trace(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route("TRACE", path, **options)

    def websocket(self, path: str = "", **options: Unpack[WebSocketOptions]) -> Callable[[F], F]:
        return self.route("WEBSOCKET", path, **typing.cast(RouteOptions, options))

    def websocket_handler(self, path: str = "", **options: Any) -> Callable[[C], C]:
        """``@websocket_handler(path, ...)`` on a class, added to this app."""
        declare = websocket_handler(path, **options)

        def register(cls: C) -> C:
            declare(cls)
            if cls not in self._controllers:
                self.add_controller(cls)
            return cls

        return register

    def sse(self, path: str = "", **options: Any) -> Callable[[F], F]:
        """``@sse(path, ...)`` on an async generator function, added to this app."""
        declare = sse(path, **options)

        def register(fn: F) -> F:
            handler = declare(fn)
            self.add_route(handler)
            return handler

        return register
