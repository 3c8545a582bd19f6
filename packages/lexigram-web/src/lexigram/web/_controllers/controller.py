"""Controllers: classes grouping handlers under a ``prefix``, built by the container.

A controller's lifetime follows its dependencies, decided at startup: when nothing it needs is
request-scoped it is built once and reused; otherwise it is built per request inside the
request's DI scope.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from lexigram.http_errors import HandlerKey

from .._declare.decorators import RouteConfig, route_configs
from .._declare.metadata import read_value, set_value
from .._declare.protocols import CommandBusProtocol, QueryBusProtocol
from .._ws.handler import HANDLER_ROUTE

__all__ = ["CQRSController", "Controller", "controller", "controller_routes"]

C = TypeVar("C", bound=type)
B = TypeVar("B")


class Controller:
    """Base class of controllers.

    ``prefix`` is prepended to every route path; ``exception_handlers`` (exception type or
    status code -> ``handler(request, exc)``) applies to every handler of the class. Declare
    dependencies as constructor parameters: the container injects them.
    """

    prefix: ClassVar[str] = ""
    exception_handlers: ClassVar[Mapping[HandlerKey, Any] | None] = None

    @classmethod
    def collect_routes(cls) -> list[dict[str, Any]]:
        """The routes this controller declares (method, path, handler_name, name, status_code)."""
        return [
            {
                "method": config.method,
                "path": config.path,
                "handler_name": name,
                "name": config.name,
                "status_code": config.status_code,
                "tags": list(config.tags),
            }
            for name, _, config in controller_routes(cls)
        ]


def controller_routes(cls: type) -> list[tuple[str, Callable[..., Any], RouteConfig]]:
    """``(method name, function, config)`` for every route on ``cls`` and its bases (a
    subclass's method of the same name replaces the base's)."""
    methods: dict[str, Callable[..., Any]] = {}
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            func: Any = attr
            if isinstance(attr, staticmethod | classmethod):
                func = typing.cast(Any, attr).__func__
            if inspect.isfunction(func):
                methods[name] = func
            elif name in methods:
                del methods[name]
    found: list[tuple[str, Callable[..., Any], RouteConfig]] = []
    for name, func in methods.items():
        for config in route_configs(func):
            found.append((name, func, config))
    handler_route = read_value(cls, HANDLER_ROUTE)
    if handler_route is not None:
        found.append(("on_connect", *handler_route))
    return found


def controller(name: str | None = None) -> Callable[[C], C]:
    """Name a controller class (used in route names and listings); registers nothing."""
    if name is not None and not isinstance(name, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f'@controller takes an optional name: write @controller() or @controller("users"),'
            f" not bare @controller (got {name!r})"
        )

    def decorate(cls: C) -> C:
        set_value(cls, "controller_name", name or cls.__name__)
        return cls

    return decorate


class CQRSController(Controller):
    """A controller with CQRS command and query buses, injected from the container.

    Any implementation of ``CommandBusProtocol`` / ``QueryBusProtocol`` does, such as
    lexigram-cqrs's."""

    def __init__(
        self,
        command_bus: CommandBusProtocol | None = None,
        query_bus: QueryBusProtocol | None = None,
    ) -> None:
        self.command_bus = command_bus
        self.query_bus = query_bus

    async def dispatch_command(self, command: Any) -> Any:
        """Dispatch ``command`` through the command bus."""
        return await _bus(self, self.command_bus, "command").dispatch(command)

    async def dispatch_query(self, query: Any) -> Any:
        """Execute ``query`` through the query bus."""
        return await _bus(self, self.query_bus, "query").execute(query)


def _bus(owner: CQRSController, bus: B | None, kind: str) -> B:
    if bus is None:
        protocol = "CommandBusProtocol" if kind == "command" else "QueryBusProtocol"
        raise RuntimeError(
            f"{type(owner).__name__} has no {kind} bus: register a {protocol} implementation"
            ' in the container (pip install "lexigram-web[cqrs]" and add the CQRS module)'
        )
    return bus
