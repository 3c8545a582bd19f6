"""Route decorators (``get``, ``post``, ...) and per-handler/controller metadata decorators."""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypedDict, TypeVar, Unpack

from .keywords import check_not_bare, check_path, refuse_unknown
from .metadata import add_items, adding, read_items, update_mapping

__all__ = [
    "FROM_ANNOTATION",
    "ROUTE_KEYWORDS",
    "WEBSOCKET_KEYWORDS",
    "RouteConfig",
    "RouteOptions",
    "WebSocketOptions",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "route_config",
    "route_configs",
    "set_metadata",
    "trace",
    "use_pipes",
    "websocket",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

WEBSOCKET = "WEBSOCKET"


class _FromAnnotation(enum.Enum):
    FROM_ANNOTATION = "the return annotation"

    def __repr__(self) -> str:
        return "FROM_ANNOTATION"


FROM_ANNOTATION: Final = _FromAnnotation.FROM_ANNOTATION
"""``RouteConfig.response_model`` when none was given: the handler's return annotation is the
response model (``response_model=None`` opts out)."""


@dataclass(frozen=True, slots=True)
class RouteConfig:
    """One ``@get``/``@post``/... declaration on a handler."""

    method: str
    path: str
    status_code: int | None = None
    response_model: Any = FROM_ANNOTATION
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


class RouteOptions(TypedDict, total=False):
    """The keywords of ``@get``/``@post``/... (and ``route``); any other keyword is refused.

    ``response_model``: the model the answer is filtered to and validated against (default:
    the handler's return annotation; ``None``: no filtering). ``exception_handlers``:
    handler-level ``{exception type or status: handler(request, exc)}``. ``strict_body``:
    ``True`` validates the JSON body strictly (an ``int`` field refuses ``true``, ``"2"`` and
    ``2.0``, as the OpenAPI document promises), ``False`` leniently (pydantic's coercions);
    ``None`` (the default) follows the app's ``strict_body``.
    """

    status_code: int | None
    response_model: Any
    tags: Sequence[str] | None
    summary: str | None
    description: str | None
    operation_id: str | None
    responses: Mapping[int | str, Any] | None
    deprecated: bool
    name: str | None
    include_in_schema: bool
    exception_handlers: Mapping[Any, Any] | None
    strict_body: bool | None


class WebSocketOptions(TypedDict, total=False):
    """The keywords of ``@websocket``: ``name``, ``max_message_size`` (bytes per received
    message; ``None``: no limit), and ``summary``/``description``/``tags``/``deprecated``/
    ``include_in_schema`` for the document's ``x-websockets`` listing."""

    name: str | None
    max_message_size: int | None
    summary: str | None
    description: str | None
    tags: Sequence[str] | None
    deprecated: bool
    include_in_schema: bool


ROUTE_KEYWORDS: Final = frozenset(RouteOptions.__annotations__)
WEBSOCKET_KEYWORDS: Final = frozenset(WebSocketOptions.__annotations__)
_EXTRA_KEYWORDS: Final = frozenset({"exception_handlers", "max_message_size"})


def route_config(
    method: str,
    path: object,
    options: Mapping[str, Any],
    *,
    where: str,
    extra: Mapping[str, Any] | None = None,
) -> RouteConfig:
    """A checked ``RouteConfig``: ``where`` names the decorator in errors (``"get"``);
    ``extra`` holds what other decorators (``@sse``) attach."""
    method = method.upper()
    checked = check_path(where, path)
    allowed = WEBSOCKET_KEYWORDS if method == WEBSOCKET else ROUTE_KEYWORDS
    refuse_unknown(f"@{where}({checked!r})", options, allowed)
    values = {k: v for k, v in options.items() if k not in _EXTRA_KEYWORDS}
    kept = {k: v for k, v in options.items() if k in _EXTRA_KEYWORDS}
    tags = values.pop("tags", None)
    responses = values.pop("responses", None)
    return RouteConfig(
        method=method,
        path=checked,
        tags=tuple(tags or ()),
        responses=dict(responses or {}),
        extra={**kept, **(extra or {})},
        **values,
    )


def route(method: str, path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Declare ``fn`` as the handler of ``method`` on ``path`` (stackable). ``path`` defaults to
    the prefix itself (the controller's, or ``/``); the keywords are ``RouteOptions``."""
    where = "websocket" if method.upper() == WEBSOCKET else method.lower()
    config = route_config(method, path, options, where=where)

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise TypeError(f"@{where}({config.path!r}) must decorate a function")
        add_items(fn, "routes", (config,))
        return fn

    return decorate


def route_configs(fn: Any) -> tuple[RouteConfig, ...]:
    """The route declarations on ``fn`` (top decorator first)."""
    return tuple(c for c in read_items(fn, "routes") if isinstance(c, RouteConfig))


def get(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a GET handler (HEAD is answered by it too unless declared separately)."""
    return route("GET", path, **options)


def post(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a POST handler."""
    return route("POST", path, **options)


def put(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a PUT handler."""
    return route("PUT", path, **options)


def patch(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a PATCH handler."""
    return route("PATCH", path, **options)


def delete(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a DELETE handler."""
    return route("DELETE", path, **options)


def head(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a HEAD handler."""
    return route("HEAD", path, **options)


def options(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register an OPTIONS handler."""
    return route("OPTIONS", path, **options)


def trace(path: str = "", **options: Unpack[RouteOptions]) -> Callable[[F], F]:
    """Register a TRACE handler."""
    return route("TRACE", path, **options)


def websocket(path: str = "", **options: Unpack[WebSocketOptions]) -> Callable[[F], F]:
    """Register a WebSocket handler (it receives a ``WebSocket`` parameter)."""
    return route(WEBSOCKET, path, **typing.cast(RouteOptions, options))


def use_pipes(*pipes: Any) -> Callable[[T], T]:
    """Apply pipes to every bound parameter of a handler, or of every handler of a controller."""
    check_not_bare("use_pipes", pipes, "pipes")
    return adding("pipes", pipes)


def set_metadata(key: str, value: Any) -> Callable[[T], T]:
    """Attach custom route metadata (``ExecutionContext.route_metadata[key]``)."""

    def decorate(target: T) -> T:
        update_mapping(target, "custom", {key: value})
        return target

    return decorate
