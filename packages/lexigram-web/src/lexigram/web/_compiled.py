"""The records startup compilation reads and produces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers, HandlerKey

from ._components import Component
from ._context import RouteInfo
from ._di import ServiceGetter
from ._endpoint import Endpoint
from ._filters import ErrorHandler
from ._registry import RouteRegistry
from ._request import RequestSettings
from ._router import Router
from ._settings import AppSettings
from ._throttle import ThrottleSpec
from ._versioning_config import VersioningConfig

__all__ = ["AppParts", "BuiltinRoute", "CompiledApp", "Owner"]


@dataclass(frozen=True, slots=True)
class BuiltinRoute:
    """An endpoint the framework serves itself (health probes): no guards, interceptors,
    filters or rate limit, not listed in the route registry, and left out when an application
    route answers the same method on the same (static) path."""

    method: str
    path: str
    endpoint: Endpoint


@dataclass(slots=True)
class AppParts:
    """What the app declares, gathered before compilation."""

    controllers: list[type]
    functions: list[Callable[..., Any]]
    guards: list[Any]
    interceptors: list[Any]
    pipes: list[Any]
    filters: list[Any]
    exception_handlers: dict[HandlerKey, Any]
    error_statuses: dict[type[BaseException], int]
    settings: AppSettings
    app: Any = None
    """The ASGI app object (``request.app``)."""
    versioning: VersioningConfig | None = None
    """How API versions are selected (``None``: the URL strategy)."""
    builtin_routes: list[BuiltinRoute] = field(default_factory=list[BuiltinRoute])


@dataclass(slots=True)
class CompiledApp:
    """A compiled app: its router, route registry, app-level error handling."""

    router: Router[Endpoint]
    registry: RouteRegistry
    status_map: ErrorStatusMap
    filters: ExceptionHandlers[ErrorHandler] | None
    request_settings: RequestSettings
    limiter: Any = None
    infos: dict[int, RouteInfo] = field(default_factory=dict[int, RouteInfo])


@dataclass(slots=True)
class Owner:
    """The controller (or app) a handler belongs to, with what it contributes."""

    cls: type | None
    prefix: str
    guards: list[Component]
    interceptors: list[Component]
    pipes: tuple[Any, ...]
    status_map: ErrorStatusMap
    filters: ExceptionHandlers[ErrorHandler] | None
    throttle: ThrottleSpec | None
    custom: dict[str, Any]
    instance: Any = None
    getter: ServiceGetter | None = None
