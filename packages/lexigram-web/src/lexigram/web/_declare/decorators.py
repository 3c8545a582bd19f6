"""Route decorators (``get``, ``post``, ...) and per-handler/controller metadata decorators."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .metadata import add_items, adding, read_items, update_mapping

__all__ = [
    "RouteConfig",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "route_configs",
    "set_metadata",
    "trace",
    "use_pipes",
    "websocket",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

WEBSOCKET = "WEBSOCKET"


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """One ``@get``/``@post``/... declaration on a handler."""

    method: str
    path: str
    status_code: int | None = None
    response_model: Any = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    description: str | None = None
    operation_id: str | None = None
    responses: Mapping[int | str, Any] = field(default_factory=dict[int | str, Any])
    deprecated: bool = False
    name: str | None = None
    include_in_schema: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict[str, Any])
    strict_body: bool | None = None
    """Validate the JSON body strictly (``None``: the app's ``strict_body`` setting)."""


def route(
    method: str,
    path: str,
    *,
    status_code: int | None = None,
    response_model: Any = None,
    tags: Sequence[str] | None = None,
    summary: str | None = None,
    description: str | None = None,
    operation_id: str | None = None,
    responses: Mapping[int | str, Any] | None = None,
    deprecated: bool = False,
    name: str | None = None,
    include_in_schema: bool = True,
    strict_body: bool | None = None,
    **extra: Any,
) -> Callable[[F], F]:
    """Declare ``fn`` as the handler of ``method`` on ``path`` (stackable).

    ``strict_body``: ``True`` validates the JSON body strictly (an ``int`` field refuses
    ``true``, ``"2"`` and ``2.0``, as the OpenAPI document promises), ``False`` leniently
    (pydantic's coercions); ``None`` (the default) follows the app's ``strict_body``.
    """
    config = RouteConfig(
        method=method.upper(),
        path=path,
        status_code=status_code,
        response_model=response_model,
        tags=tuple(tags or ()),
        summary=summary,
        description=description,
        operation_id=operation_id,
        responses=dict(responses or {}),
        deprecated=deprecated,
        name=name,
        include_in_schema=include_in_schema,
        extra=extra,
        strict_body=strict_body,
    )

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise TypeError(f"@{method.lower()}({path!r}) must decorate a function")
        add_items(fn, "routes", (config,))
        return fn

    return decorate


def route_configs(fn: Any) -> tuple[RouteConfig, ...]:
    """The route declarations on ``fn`` (top decorator first)."""
    return tuple(c for c in read_items(fn, "routes") if isinstance(c, RouteConfig))


def get(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a GET handler (HEAD is answered by it too unless declared separately)."""
    return route("GET", path, **kwargs)


def post(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a POST handler."""
    return route("POST", path, **kwargs)


def put(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a PUT handler."""
    return route("PUT", path, **kwargs)


def patch(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a PATCH handler."""
    return route("PATCH", path, **kwargs)


def delete(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a DELETE handler."""
    return route("DELETE", path, **kwargs)


def head(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a HEAD handler."""
    return route("HEAD", path, **kwargs)


def options(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register an OPTIONS handler."""
    return route("OPTIONS", path, **kwargs)


def trace(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a TRACE handler."""
    return route("TRACE", path, **kwargs)


def websocket(path: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a WebSocket handler (it receives a ``WebSocket`` parameter)."""
    return route(WEBSOCKET, path, **kwargs)


def use_pipes(*pipes: Any) -> Callable[[T], T]:
    """Apply pipes to every bound parameter of a handler, or of every handler of a controller."""
    return adding("pipes", pipes)


def set_metadata(key: str, value: Any) -> Callable[[T], T]:
    """Attach custom route metadata (``ExecutionContext.route_metadata[key]``)."""

    def decorate(target: T) -> T:
        update_mapping(target, "custom", {key: value})
        return target

    return decorate
