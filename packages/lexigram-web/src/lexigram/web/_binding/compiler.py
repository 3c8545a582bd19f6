"""Parameter binding, compiled once per route into a list of small steps.

Each step fills one handler argument from the request (path, query, header, cookie, body, form,
file), from the pipeline (``Request``, ``ExecutionContext``, ``BackgroundTasks``) or from the
container (services, by type). Steps raise ``ParamError``; the binder runs them all and reports
every failure of a request together in one ``RequestValidationError``.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import decimal
import difflib
import enum
import inspect
import pathlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.requests import Request as StarletteRequest

from lexigram.di import Container

from .._declare.di import autoregister, service_getter
from .._declare.errors import ConfigurationError
from .._declare.params import BoundParam, Param, ParamMetadata, ParamSource
from .._http.background import BackgroundTasks
from .._http.context import ExecutionContext
from .._http.websocket import WebSocket
from ._body import body_step, form_step
from ._steps import Step, pipe_step, scalar_step
from .signature import HandlerParam, is_model_type, read_signature, unwrap_optional
from .validation import ParamError, RequestValidationError

__all__ = ["BindingPlan", "compile_binding"]

_EMPTY = inspect.Parameter.empty
_SEQUENCES = (list, set, frozenset, tuple, collections.abc.Sequence, collections.abc.Set)
_QUERY_CLASSES: tuple[type, ...] = (
    str,
    int,
    float,
    bool,
    bytes,
    uuid.UUID,
    dt.date,
    dt.time,
    dt.timedelta,
    decimal.Decimal,
    enum.Enum,
    pathlib.PurePath,
)


class BindingPlan:
    """The compiled binding of one handler.

    ``bind(ctx)`` runs the sync steps; ``abind(ctx)`` runs all of them (use it when
    ``has_async``). ``needs_scope``: some injected service needs the request's DI scope.
    """

    __slots__ = ("async_steps", "has_async", "needs_scope", "params", "status", "sync_steps")

    def __init__(
        self,
        sync_steps: Sequence[tuple[str, Step]],
        async_steps: Sequence[tuple[str, Callable[[ExecutionContext], Awaitable[Any]]]],
        needs_scope: bool,
        status: int,
        params: Sequence[BoundParam] = (),
    ) -> None:
        self.params = tuple(params)
        """How each parameter is bound (for generators such as OpenAPI)."""
        self.sync_steps = tuple(sync_steps)
        self.async_steps = tuple(async_steps)
        self.has_async = bool(async_steps)
        self.needs_scope = needs_scope
        self.status = status

    @property
    def is_empty(self) -> bool:
        return not self.sync_steps and not self.async_steps

    def bind(self, ctx: ExecutionContext) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        errors: list[dict[str, Any]] | None = None
        for name, step in self.sync_steps:
            try:
                kwargs[name] = step(ctx)
            except ParamError as exc:
                errors = exc.errors if errors is None else [*errors, *exc.errors]
        if errors is not None:
            raise RequestValidationError(errors, self.status)
        return kwargs

    async def abind(self, ctx: ExecutionContext) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for name, step in self.sync_steps:
            try:
                kwargs[name] = step(ctx)
            except ParamError as exc:
                errors.extend(exc.errors)
        for name, astep in self.async_steps:
            try:
                kwargs[name] = await astep(ctx)
            except ParamError as exc:
                errors.extend(exc.errors)
        if errors:
            raise RequestValidationError(errors, self.status)
        return kwargs


def _is_special(annotation: Any, *types_: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, types_)


def _source_for(
    param: HandlerParam, path_names: set[str], container: Container
) -> ParamSource | str:
    """Where ``param`` comes from: a ``ParamSource`` or one of "dependency", "request",
    "context", "background", "websocket", "service", "default" (an unregistered service type
    with a default: the default is passed)."""
    if param.dependency is not None:
        return "dependency"
    if param.marker is not None:
        return param.marker.source
    annotation = unwrap_optional(param.annotation)
    if _is_special(annotation, WebSocket):
        return "websocket"
    if _is_special(annotation, StarletteRequest):
        return "request"
    if _is_special(annotation, ExecutionContext):
        return "context"
    if _is_special(annotation, BackgroundTasks):
        return "background"
    if param.name in path_names:
        return ParamSource.PATH
    if annotation is not _EMPTY and annotation is not Any and autoregister(container, annotation):
        return "service"
    if is_model_type(param.annotation):
        return ParamSource.BODY
    if param.default is not ... and _is_non_query_class(annotation):
        return "default"  # an optional service that is not registered
    return ParamSource.QUERY


def _is_non_query_class(annotation: object) -> bool:
    return isinstance(annotation, type) and not issubclass(annotation, _QUERY_CLASSES)


def _check_query_type(param: HandlerParam, label: str) -> None:
    annotation = unwrap_optional(param.annotation)
    if _is_non_query_class(annotation):
        name = getattr(annotation, "__qualname__", repr(annotation))
        raise ConfigurationError(
            f"{label}: parameter {param.name!r} of type {name} is not a path parameter, a"
            f" registered service, nor a query scalar; register it in the container"
            f" (container.singleton({name}) or app.singleton({name})), or mark it with"
            " body()/query()/header()"
        )


def compile_binding(
    fn: Callable[..., Any],
    *,
    label: str,
    skip_first: bool,
    path_types: dict[str, type[Any]],
    container: Container,
    pipes: Sequence[Any] = (),
    validation_status: int = 422,
    websocket: bool = False,
) -> BindingPlan:
    """Compile the binding of ``fn``; every problem raises ``ConfigurationError`` now."""
    params = read_signature(fn, skip_first=skip_first, label=label)
    path_names = set(path_types)
    sources = {p.name: _source_for(p, path_names, container) for p in params}
    body_params = [p for p in params if sources[p.name] is ParamSource.BODY]
    embed = len(body_params) > 1 or any(
        p.marker is not None and p.marker.embed for p in body_params
    )
    sync_steps: list[tuple[str, Step]] = []
    async_steps: list[tuple[str, Callable[[ExecutionContext], Awaitable[Any]]]] = []
    needs_scope = False
    bound: list[BoundParam] = []
    for param in params:
        source = sources[param.name]
        marker = param.marker
        bound.append(_bound(param, source, embed))
        if source == "request":
            if websocket:
                raise ConfigurationError(
                    f"{label}: a WebSocket handler takes a WebSocket, not a Request"
                )
            sync_steps.append((param.name, _request_step))
            continue
        if source == "websocket":
            if not websocket:
                raise ConfigurationError(
                    f"{label}: parameter {param.name!r} is a WebSocket, but the route is HTTP;"
                    " declare the handler with @websocket(path)"
                )
            sync_steps.append((param.name, _websocket_step))
            continue
        if source == "context":
            sync_steps.append((param.name, _context_step))
            continue
        if source == "background":
            sync_steps.append((param.name, _background_step))
            continue
        if source == "dependency":
            assert param.dependency is not None
            async_steps.append((param.name, _dependency_step(param.dependency)))
            continue
        if source == "default":
            sync_steps.append((param.name, _constant_step(param.default)))
            continue
        if source == "service":
            getter = _service(container, param, label)
            needs_scope = needs_scope or getter.needs_scope
            get = getter.get
            if getter.is_async:
                async_steps.append((param.name, _async_service_step(get)))
            else:
                sync_steps.append((param.name, _service_step(get)))
            continue
        assert isinstance(source, ParamSource)
        if source is ParamSource.QUERY and marker is None:
            _check_query_type(param, label)
        wire = _wire_name(param, source, marker)
        if source is ParamSource.PATH and wire not in path_names:
            raise ConfigurationError(
                f"{label}: path parameter {wire!r} does not appear in the route path"
                f" (it has {sorted(path_names) or 'no parameters'})"
            )
        metadata = ParamMetadata(
            name=param.name,
            param_type=source.value,
            expected_type=None if param.annotation is _EMPTY else param.annotation,
            default=_default_of(param, marker),
            alias=marker.alias if marker is not None else None,
        )
        chain = (*pipes, *(marker.pipes if marker is not None else ()))
        for pipe in chain:
            prepare = getattr(pipe, "prepare", None)
            if callable(prepare):
                prepare(metadata)
        validation = marker.validation if marker is not None else None
        if source in (ParamSource.BODY, ParamSource.FORM, ParamSource.FILE):
            if source is ParamSource.BODY:
                step = body_step(param, metadata, wire, embed, chain, validation)
            else:
                step = form_step(param, metadata, wire, source, chain, validation, label)
            async_steps.append((param.name, step))
            continue
        path_type = path_types.get(wire)
        if chain:
            astep, is_async = pipe_step(param, metadata, source, wire, chain, validation, path_type)
            if is_async:
                async_steps.append((param.name, astep))
            else:
                sync_steps.append((param.name, astep))
            continue
        sync_steps.append(
            (param.name, scalar_step(param, metadata, source, wire, validation, path_type))
        )
    _check_path_variables(bound, path_types, label)
    return BindingPlan(sync_steps, async_steps, needs_scope, validation_status, bound)


def _check_path_variables(
    bound: Sequence[BoundParam], path_types: dict[str, type[Any]], label: str
) -> None:
    """Every variable of the route path must reach a handler parameter."""
    taken = {b.wire for b in bound if b.source is ParamSource.PATH}
    for name, kind in path_types.items():
        if name in taken:
            continue
        others = [b.name for b in bound if b.source is ParamSource.QUERY]
        close = difflib.get_close_matches(name, others, n=1, cutoff=0.5) or [
            other for other in others if other in name or name in other
        ]
        hint = (
            f"; did you mean to name parameter {close[0]!r} {name!r}?"
            if close
            else f"; add a parameter `{name}: {kind.__name__}`"
        )
        raise ConfigurationError(
            f"{label}: path variable {{{name}}} has no handler parameter, so its value would"
            f" never reach the handler{hint} (or mark one with path(alias={name!r}))"
        )


def _bound(param: HandlerParam, source: ParamSource | str, embed: bool) -> BoundParam:
    if not isinstance(source, ParamSource):
        return BoundParam(param.name, source, param.annotation)
    return BoundParam(
        param.name,
        source,
        param.annotation,
        _wire_name(param, source, param.marker),
        _default_of(param, param.marker),
        embed and source is ParamSource.BODY,
    )


def _service(container: Container, param: HandlerParam, label: str) -> Any:
    try:
        return service_getter(container, unwrap_optional(param.annotation))
    except Exception as exc:
        raise ConfigurationError(f"{label}: cannot inject parameter {param.name!r}: {exc}") from exc


def _wire_name(param: HandlerParam, source: ParamSource, marker: Param | None) -> str:
    if marker is not None and marker.alias:
        return marker.alias.lower() if source is ParamSource.HEADER else marker.alias
    if source is ParamSource.HEADER:
        return param.name.replace("_", "-").lower()
    return param.name


def _default_of(param: HandlerParam, marker: Param | None) -> Any:
    if marker is not None and marker.default is not ...:
        return marker.default
    return param.default


def _constant_step(value: Any) -> Step:
    def step(ctx: ExecutionContext) -> Any:
        return value

    return step


def _service_step(get: Callable[[Any], Any]) -> Step:
    def step(ctx: ExecutionContext) -> Any:
        return get(ctx.di_scope)

    return step


def _async_service_step(get: Callable[[Any], Any]) -> Callable[[ExecutionContext], Awaitable[Any]]:
    async def step(ctx: ExecutionContext) -> Any:
        return await get(ctx.di_scope)

    return step


def _dependency_step(
    dependency: Callable[[Any], Awaitable[Any]],
) -> Callable[[ExecutionContext], Awaitable[Any]]:
    async def step(ctx: ExecutionContext) -> Any:
        return await dependency(ctx)

    return step


def _request_step(ctx: ExecutionContext) -> Any:
    return ctx.request


def _websocket_step(ctx: ExecutionContext) -> Any:
    return ctx.websocket


def _context_step(ctx: ExecutionContext) -> Any:
    return ctx


def _background_step(ctx: ExecutionContext) -> Any:
    return ctx.get_background()
