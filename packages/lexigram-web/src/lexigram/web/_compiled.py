"""The records startup compilation reads and produces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Receive, Scope, Send

from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers, HandlerKey

from ._config.settings import AppSettings
from ._config.versioning import VersioningConfig
from ._declare.decorators import RouteConfig
from ._declare.di import ServiceGetter
from ._declare.metadata import mro_value, read_mapping
from ._http.context import RouteInfo
from ._http.response_defaults import ResponseDefaults
from ._http.settings import RequestSettings
from ._observe.hooks import Instruments
from ._pipeline.components import Component
from ._pipeline.core import Endpoint
from ._pipeline.endpoint import head_endpoint
from ._pipeline.filters import ErrorHandler
from ._pipeline.throttle import ThrottleSpec
from ._routing.registry import RouteRegistry
from ._routing.router import Router

__all__ = ["AppParts", "BuiltinRoute", "CompiledApp", "Owner", "route_info", "with_heads"]


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
    instruments: Instruments | None = None
    """Observability hooks applied to every route (``None``: observability is off)."""
    broadcaster: Any = None
    """The app's ``Broadcaster`` (WebSocket handler hubs publish through it)."""
    defaults: ResponseDefaults | None = None
    """The headers the app's own code adds to every answer (``None``: none, or middleware)."""


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


def with_heads(
    builtins: Sequence[BuiltinRoute], defaults: ResponseDefaults | None = None
) -> list[tuple[str, str, Endpoint]]:
    """The built-in routes, each ``GET`` also answering ``HEAD`` (as application routes do),
    adding the app's ``defaults`` to their answers."""
    routes = [(b.method, b.path, _adding(b.endpoint, defaults)) for b in builtins]
    declared = {(method, path) for method, path, _ in routes}
    routes += [
        ("HEAD", path, head_endpoint(endpoint))
        for method, path, endpoint in list(routes)
        if method == "GET" and ("HEAD", path) not in declared
    ]
    return routes


def _adding(endpoint: Endpoint, defaults: ResponseDefaults | None) -> Endpoint:
    """``endpoint`` whose HTTP answers carry ``defaults`` (itself without any)."""
    if defaults is None:
        return endpoint

    async def adding(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        if scope["type"] == "http":
            send = defaults.adding(scope, send)
        await endpoint(scope, receive, send, params)

    return adding


def route_info(
    fn: Callable[..., Any],
    config: RouteConfig,
    owner: Owner,
    method_name: str | None,
    path: str,
    guards: list[Component],
    interceptors: list[Component],
) -> RouteInfo:
    """The route as the registry lists it and its requests see it."""
    name = config.name or (
        f"{mro_value(owner.cls, 'controller_name') or owner.cls.__name__}.{method_name}"
        if owner.cls is not None
        else fn.__name__
    )
    metadata = {**owner.custom, **read_mapping(fn, "custom"), **dict(config.extra)}
    metadata.update(tags=list(config.tags), summary=config.summary, deprecated=config.deprecated)
    return RouteInfo(
        method=config.method,
        path=path,
        name=name,
        handler=fn,
        controller_class=owner.cls,
        method_name=method_name,
        status_code=config.status_code or 200,
        guards=tuple(c.instance if c.instance is not None else c.getter for c in guards),
        interceptors=tuple(
            c.instance if c.instance is not None else c.getter for c in interceptors
        ),
        metadata=metadata,
        config=config,
    )
