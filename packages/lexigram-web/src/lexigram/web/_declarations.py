"""What an app declares before it starts: its routes and its app-wide pipeline components.

Two parts of ``LexigramApp``: ``AppRoutes`` (controllers, function handlers and the route
decorators) and ``AppComponents`` (guards, interceptors, pipes, exception filters and handlers,
error statuses). Both are read once, when the app starts; declaring after startup raises
(their shared ``Gate`` says whether the app started).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar, Unpack, overload

from lexigram.http_errors import HandlerKey

from ._declare.decorators import RouteOptions, route
from ._sse.route import sse
from ._ws.handler import websocket_handler

__all__ = ["AppComponents", "AppRoutes", "Gate", "HandlerDecorator", "RouteVerb"]

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


class Gate:
    """Whether the app started: declarations are refused from then on."""

    __slots__ = ("started",)

    def __init__(self) -> None:
        self.started = False

    def check(self, what: str) -> None:
        if self.started:
            raise RuntimeError(f"cannot {what} after the app started; do it before startup")


class AppRoutes:
    """The controllers and function handlers an app serves."""

    __slots__ = ("_listed", "controllers", "functions", "gate")

    def __init__(
        self, controllers: Sequence[type], functions: Sequence[Callable[..., Any]], gate: Gate
    ) -> None:
        self.controllers = list(controllers)
        self.functions = list(functions)
        self.gate = gate
        # ids of the listed functions (the list keeps them alive): a membership test per
        # declaration stays O(1) with thousands of routes
        self._listed = {id(fn) for fn in self.functions}

    def add_controller(self, controller: type) -> None:
        self.gate.check("add a controller")
        self.controllers.append(controller)

    def add_route(self, handler: Callable[..., Any]) -> None:
        self.gate.check("add a route")
        self.functions.append(handler)
        self._listed.add(id(handler))

    def route(
        self, method: str, path: str = "", **options: Unpack[RouteOptions]
    ) -> Callable[[F], F]:
        """A decorator declaring a function the handler of ``method`` on ``path``."""
        decorate = route(method, path, **options)

        def register(fn: F) -> F:
            decorate(fn)
            if id(fn) not in self._listed:
                self.add_route(fn)
            return fn

        return register

    def websocket_handler(self, path: str = "", **options: Any) -> Callable[[C], C]:
        """``@websocket_handler(path, ...)`` on a class, added to the app."""
        declare = websocket_handler(path, **options)

        def register(cls: C) -> C:
            declare(cls)
            if cls not in self.controllers:
                self.add_controller(cls)
            return cls

        return register

    def sse(self, path: str = "", **options: Any) -> Callable[[F], F]:
        """``@sse(path, ...)`` on an async generator function, added to the app."""
        declare = sse(path, **options)

        def register(fn: F) -> F:
            handler = declare(fn)
            self.add_route(handler)
            return handler

        return register


class AppComponents:
    """The app-wide guards, interceptors, pipes, filters, exception handlers, error statuses."""

    __slots__ = (
        "error_statuses",
        "exception_handlers",
        "filters",
        "gate",
        "guards",
        "interceptors",
        "pipes",
    )

    def __init__(
        self,
        gate: Gate,
        *,
        exception_handlers: Mapping[HandlerKey, Any] | None,
        filters: Sequence[Any],
        guards: Sequence[Any],
        interceptors: Sequence[Any],
        pipes: Sequence[Any],
        error_statuses: Mapping[type[BaseException], int] | None,
    ) -> None:
        self.gate = gate
        self.exception_handlers: dict[HandlerKey, Any] = dict(exception_handlers or {})
        self.filters = list(filters)
        self.guards = list(guards)
        self.interceptors = list(interceptors)
        self.pipes = list(pipes)
        self.error_statuses = dict(error_statuses or {})

    def add(self, what: str, items: list[Any], *added: Any) -> None:
        """Append ``added`` to one of the lists (``what`` names the action in the error)."""
        self.gate.check(what)
        items.extend(added)

    def add_exception_handler(self, key: HandlerKey, handler: Any) -> None:
        self.gate.check("add an exception handler")
        self.exception_handlers[key] = handler

    def error_status(self, error_type: type[BaseException], status_code: int) -> None:
        self.gate.check("map an error status")
        self.error_statuses[error_type] = status_code


class _Declares(Protocol):
    _routes: AppRoutes


class HandlerDecorator(Protocol):
    """``app.get(path, **options)``: a decorator declaring a handler of one method."""

    def __call__(self, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]: ...


class RouteVerb:
    """``get = RouteVerb("GET")`` on the app class: ``app.get(path, **options)`` declares a
    ``GET`` handler in that app (one descriptor for every HTTP method's shortcut)."""

    __slots__ = ("method",)

    def __init__(self, method: str) -> None:
        self.method = method

    @overload
    def __get__(self, app: None, owner: type) -> RouteVerb: ...
    @overload
    def __get__(self, app: _Declares, owner: type | None = None) -> HandlerDecorator: ...
    def __get__(self, app: _Declares | None, owner: type | None = None) -> Any:
        if app is None:
            return self  # looked up on the class
        return partial(app._routes.route, self.method)  # pyright: ignore[reportPrivateUsage]
