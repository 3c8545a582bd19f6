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
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request as StarletteRequest

from lexigram.di import Container

from .._declare.di import autoregister
from .._declare.errors import ConfigurationError
from .._declare.params import BoundParam, Param, ParamMetadata, ParamSource
from .._http.background import BackgroundTasks
from .._http.context import ExecutionContext
from .._http.websocket import WebSocket
from ._body import body_step, form_step
from ._injected import AsyncStep, injected_step
from ._plan_key import PlanCache, plan_key
from ._steps import Step, path_read_of, pipe_step, resolve_pipe, scalar_step
from .signature import HandlerParam, HintsCache, is_model_type, read_handler, unwrap_optional
from .validation import Adapters, ParamError, RequestValidationError

__all__ = ["BindingPlan", "PlanCache", "compile_binding"]

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

    __slots__ = (
        "async_steps",
        "has_async",
        "needs_scope",
        "params",
        "path_only",
        "returns",
        "status",
        "sync_steps",
    )

    def __init__(
        self,
        sync_steps: Sequence[tuple[str, Step]],
        async_steps: Sequence[tuple[str, Callable[[ExecutionContext], Awaitable[Any]]]],
        needs_scope: bool,
        status: int,
        params: Sequence[BoundParam] = (),
        returns: Any = _EMPTY,
    ) -> None:
        self.params = tuple(params)
        """How each parameter is bound (for generators such as OpenAPI)."""
        self.sync_steps = tuple(sync_steps)
        self.async_steps = tuple(async_steps)
        self.has_async = bool(async_steps)
        self.needs_scope = needs_scope
        self.status = status
        self.returns = returns
        """The handler's resolved return annotation (``inspect.Parameter.empty`` if none)."""
        self.path_only = (
            bool(sync_steps)
            and not async_steps
            and all(path_read_of(step) == name for name, step in sync_steps)
        )
        """Every argument is a path parameter of the same name as the router converted it:
        the arguments are the path parameters themselves."""

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


@dataclass(frozen=True, slots=True)
class _Route:
    """What every parameter of one handler is compiled against."""

    label: str
    path_types: dict[str, type[Any]]
    container: Container
    pipes: Sequence[Any]
    embed: bool
    websocket: bool
    strict_body: bool
    adapters: Adapters | None


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
    strict_body: bool = True,
    hints_cache: HintsCache | None = None,
    plan_cache: PlanCache | None = None,
    adapters: Adapters | None = None,
) -> BindingPlan:
    """Compile the binding of ``fn``; every problem raises ``ConfigurationError`` now. With
    ``plan_cache``, handlers of one definition (a factory's) compiled alike share a plan."""
    key = None
    if plan_cache is not None and not pipes:
        key = plan_key(fn, (skip_first, validation_status, websocket, strict_body), path_types)
        plan = plan_cache.get(key) if key is not None else None
        if plan is not None:
            return plan
    plan, piped = _compile_binding(
        fn, label, skip_first, path_types, container, pipes, validation_status, websocket,
        strict_body, hints_cache, adapters,
    )  # fmt: skip
    if key is not None and plan_cache is not None and not piped:
        plan_cache[key] = plan  # pipes are built and prepared per route: never shared
    return plan


def _compile_binding(
    fn: Callable[..., Any],
    label: str,
    skip_first: bool,
    path_types: dict[str, type[Any]],
    container: Container,
    pipes: Sequence[Any],
    validation_status: int,
    websocket: bool,
    strict_body: bool,
    hints_cache: HintsCache | None,
    adapters: Adapters | None,
) -> tuple[BindingPlan, bool]:
    """The plan, and whether a parameter's marker runs pipes."""
    params, returns = read_handler(fn, skip_first=skip_first, label=label, hints_cache=hints_cache)
    sources = {p.name: _source_for(p, set(path_types), container) for p in params}
    body_params = [p for p in params if sources[p.name] is ParamSource.BODY]
    embed = len(body_params) > 1 or any(
        p.marker is not None and p.marker.embed for p in body_params
    )
    route = _Route(label, path_types, container, pipes, embed, websocket, strict_body, adapters)
    sync_steps: list[tuple[str, Step]] = []
    async_steps: list[tuple[str, AsyncStep]] = []
    needs_scope = False
    for param in params:
        source = sources[param.name]
        if isinstance(source, ParamSource):
            step, is_async = _request_value_step(param, source, route)
        else:
            step, is_async, scoped = injected_step(
                param, source, route.container, label=route.label, websocket=route.websocket
            )
            needs_scope = needs_scope or scoped
        if is_async:
            async_steps.append((param.name, step))
        else:
            sync_steps.append((param.name, step))
    bound = [_bound(p, sources[p.name], embed) for p in params]
    _check_path_variables(bound, path_types, label)
    plan = BindingPlan(sync_steps, async_steps, needs_scope, validation_status, bound, returns)
    return plan, any(p.marker is not None and p.marker.pipes for p in params)


def _check_path_variables(
    bound: Sequence[BoundParam], path_types: dict[str, type[Any]], label: str
) -> None:
    """Every variable of the route path must reach the handler: through a parameter, or
    through the request it takes (``path_params``) when no parameter looks misnamed."""
    taken = {b.wire for b in bound if b.source is ParamSource.PATH}
    raw = any(b.source in ("request", "context", "websocket") for b in bound)
    for name, kind in path_types.items():
        if name in taken:
            continue
        others = [b.name for b in bound if b.source is ParamSource.QUERY]
        close = difflib.get_close_matches(name, others, n=1, cutoff=0.5) or [
            other for other in others if other in name or name in other
        ]
        if raw and not close:
            continue  # the handler reads it from request.path_params
        hint = (
            f"; did you mean to name parameter {close[0]!r} {name!r}?"
            if close
            else f"; add a parameter `{name}: {kind.__name__}`"
        )
        raise ConfigurationError(
            f"{label}: path variable {{{name}}} has no handler parameter, so its value would"
            f" never reach the handler{hint} (or mark one with path(alias={name!r}))"
        )


def _request_value_step(
    param: HandlerParam, source: ParamSource, route: _Route
) -> tuple[Any, bool]:
    """The step for a parameter read from the request (path, query, header, cookie, body,
    form, file): ``(step, is_async)``."""
    marker = param.marker
    if source is ParamSource.QUERY and marker is None:
        _check_query_type(param, route.label)
    wire = _wire_name(param, source, marker)
    if source is ParamSource.PATH and wire not in route.path_types:
        raise ConfigurationError(
            f"{route.label}: path parameter {wire!r} does not appear in the route path"
            f" (it has {sorted(route.path_types) or 'no parameters'})"
        )
    metadata = ParamMetadata(
        name=param.name,
        param_type=source.value,
        expected_type=None if param.annotation is _EMPTY else param.annotation,
        default=_default_of(param, marker),
        alias=marker.alias if marker is not None else None,
    )
    chain = tuple(
        resolve_pipe(route.container, pipe, route.label)
        for pipe in (*route.pipes, *(marker.pipes if marker is not None else ()))
    )
    for pipe in chain:
        prepare = getattr(pipe, "prepare", None)
        if callable(prepare):
            prepare(metadata)
    validation = marker.validation if marker is not None else None
    # body steps read a Request: HTTP routes only (a WebSocket has no body)
    if source is ParamSource.BODY:
        step = body_step(
            param, metadata, wire, route.embed, chain, validation, route.strict_body,
            route.adapters,
        )  # fmt: skip
        return step, True
    if source in (ParamSource.FORM, ParamSource.FILE):
        step = form_step(
            param, metadata, wire, source, chain, validation, route.label, route.adapters
        )
        return step, True
    path_type = route.path_types.get(wire)
    if chain:
        return pipe_step(
            param, metadata, source, wire, chain, validation, path_type, route.adapters
        )
    step = scalar_step(param, metadata, source, wire, validation, path_type, route.adapters)
    return step, False


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
