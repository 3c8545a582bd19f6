"""Binding steps for path, query, header and cookie parameters (with or without pipes)."""

from __future__ import annotations

import inspect
import typing
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from pydantic import ValidationError

from lexigram.di import Container

from .._declare.di import autoregister, is_coroutine_callable, service_getter
from .._declare.errors import ConfigurationError
from .._declare.params import ParamMetadata, ParamSource
from .._http.context import ExecutionContext
from .signature import HandlerParam, unwrap_optional
from .validation import Adapters, ParamError, build_converter, missing_error, pydantic_errors

__all__ = [
    "Step",
    "apply_validation",
    "finisher",
    "path_read_of",
    "pipe_step",
    "run_pipes",
    "scalar_step",
]

Step = Callable[[ExecutionContext], Any]

_EMPTY = inspect.Parameter.empty
_SEQUENCE_ORIGINS = (list, set, frozenset, tuple)


def _is_sequence(annotation: Any) -> bool:
    origin = typing.get_origin(unwrap_optional(annotation))
    return origin in _SEQUENCE_ORIGINS or (
        origin is not None and getattr(origin, "__name__", "") in ("Sequence", "Set")
    )


def _converter(annotation: Any, adapters: Adapters | None) -> Callable[[Any], Any] | None:
    if annotation is _EMPTY:
        return None
    return build_converter(annotation, adapters)


def _getter(source: ParamSource, wire: str, many: bool) -> Callable[[ExecutionContext], Any]:
    if source is ParamSource.PATH:
        return lambda ctx: ctx.path_params.get(wire)
    if source is ParamSource.QUERY:
        if many:
            return lambda ctx: ctx.query_list(wire) or None
        return lambda ctx: ctx.query.get(wire)
    if source is ParamSource.HEADER:
        if many:
            key = wire.encode("latin-1")

            def headers(ctx: ExecutionContext) -> Any:
                found = [v.decode("latin-1") for k, v in ctx.scope["headers"] if k == key]
                return found or None

            return headers
        return lambda ctx: ctx.headers.get(wire)
    return lambda ctx: ctx.cookies.get(wire)


def apply_validation(validation: Callable[[Any], Any], value: Any, loc: list[str | int]) -> Any:
    """Run a marker's ``validation=`` callable: ``False`` rejects, ``True``/``None`` keep the
    value, anything else replaces it; ``ValueError``/``TypeError`` reject with their message."""
    try:
        result = validation(value)
    except ValidationError as exc:
        raise ParamError(pydantic_errors(exc, loc)) from None
    except (ValueError, TypeError) as exc:
        raise ParamError([{"loc": loc, "msg": str(exc), "type": "value_error"}]) from None
    if result is False:
        raise ParamError([{"loc": loc, "msg": "Value failed validation", "type": "value_error"}])
    if result is True or result is None:
        return value
    return result


def _path_converter(
    annotation: Any, path_type: type[Any] | None, adapters: Adapters | None
) -> Callable[[Any], Any] | None:
    target = unwrap_optional(annotation)
    if target is _EMPTY or target is Any or target is path_type:
        return None
    if target is str:
        return str
    return build_converter(annotation, adapters)


class _Read(NamedTuple):
    """How one parameter is read and finished: decided once, at startup."""

    get: Callable[[ExecutionContext], Any]
    convert: Callable[[Any], Any] | None
    loc: list[str | int]
    required: bool
    default: Any


def _read(
    param: HandlerParam,
    metadata: ParamMetadata,
    source: ParamSource,
    wire: str,
    path_type: type[Any] | None,
    adapters: Adapters | None,
) -> _Read:
    many = source is not ParamSource.PATH and _is_sequence(param.annotation)
    if source is ParamSource.PATH:
        convert = _path_converter(param.annotation, path_type, adapters)
    else:
        convert = _converter(param.annotation, adapters)
    loc: list[str | int] = [source.value, wire]
    default = metadata.default
    return _Read(_getter(source, wire, many), convert, loc, default is ..., default)


def finisher(
    convert: Callable[[Any], Any] | None,
    validation: Callable[[Any], Any] | None,
    loc: list[str | int],
    required: bool,
    default: Any,
) -> Callable[[Any], Any]:
    """``finish(value)``: the default for a missing value (or a 422), then ``convert``
    (pydantic errors become 422s) and the marker's ``validation``."""

    def finish(value: Any) -> Any:
        if value is None:
            if required:
                raise ParamError([missing_error(loc)])
            return default
        if convert is not None:
            try:
                value = convert(value)
            except ValidationError as exc:
                raise ParamError(pydantic_errors(exc, loc)) from None
        if validation is not None:
            value = apply_validation(validation, value, loc)
        return value

    return finish


_PATH_READS: weakref.WeakKeyDictionary[Step, str] = weakref.WeakKeyDictionary()
"""The steps that return a path parameter as the router converted it, and its name."""


def path_read_of(step: Step) -> str | None:
    """The path parameter ``step`` returns unchanged (``None``: it does more)."""
    return _PATH_READS.get(step)


def scalar_step(
    param: HandlerParam,
    metadata: ParamMetadata,
    source: ParamSource,
    wire: str,
    validation: Callable[[Any], Any] | None,
    path_type: type[Any] | None,
    adapters: Adapters | None = None,
) -> Step:
    """A step for a path/query/header/cookie parameter without pipes."""
    read = _read(param, metadata, source, wire, path_type, adapters)
    get, convert = read.get, read.convert
    if source is ParamSource.PATH and convert is None and validation is None:
        step: Step = lambda ctx: ctx.path_params[wire]  # noqa: E731
        _PATH_READS[step] = wire
        return step
    if validation is None and convert is not None:
        loc, required, default = read.loc, read.required, read.default

        def fast(ctx: ExecutionContext) -> Any:
            raw = get(ctx)
            if raw is None:
                if required:
                    raise ParamError([missing_error(loc)])
                return default
            try:
                return convert(raw)
            except ValidationError as exc:
                raise ParamError(pydantic_errors(exc, loc)) from None

        return fast
    finish = finisher(convert, validation, read.loc, read.required, read.default)
    return lambda ctx: finish(get(ctx))


def _pipe_error(exc: Exception, loc: list[str | int]) -> ParamError:
    if isinstance(exc, ValidationError):
        return ParamError(pydantic_errors(exc, loc))
    return ParamError([{"loc": loc, "msg": str(exc), "type": "value_error"}])


async def run_pipes(
    value: Any, pipes: Sequence[Any], metadata: ParamMetadata, loc: list[str | int]
) -> Any:
    """Run ``pipes`` in order; ``ValueError``/``TypeError`` become this parameter's errors."""
    for pipe in pipes:
        try:
            value = pipe.transform(value, metadata)
            if inspect.isawaitable(value):
                value = await value
        except (ValueError, TypeError) as exc:
            raise _pipe_error(exc, loc) from None
    return value


def run_sync_pipes(
    value: Any, pipes: Sequence[Any], metadata: ParamMetadata, loc: list[str | int]
) -> Any:
    for pipe in pipes:
        try:
            value = pipe.transform(value, metadata)
        except (ValueError, TypeError) as exc:
            raise _pipe_error(exc, loc) from None
    return value


def pipe_step(
    param: HandlerParam,
    metadata: ParamMetadata,
    source: ParamSource,
    wire: str,
    pipes: Sequence[Any],
    validation: Callable[[Any], Any] | None,
    path_type: type[Any] | None,
    adapters: Adapters | None = None,
) -> tuple[Callable[[ExecutionContext], Any], bool]:
    """A step that runs ``pipes`` on the raw value, then validates; ``(step, is_async)``."""
    read = _read(param, metadata, source, wire, path_type, adapters)
    get, loc, required, default = read.get, read.loc, read.required, read.default
    finish = finisher(read.convert, validation, loc, required, default)

    if any(is_coroutine_callable(getattr(p, "transform", None)) for p in pipes):

        async def astep(ctx: ExecutionContext) -> Any:
            raw = get(ctx)
            if raw is None and not required:
                return default
            return finish(await run_pipes(raw, pipes, metadata, loc))

        return astep, True

    def step(ctx: ExecutionContext) -> Any:
        raw = get(ctx)
        if raw is None and not required:
            return default
        return finish(run_sync_pipes(raw, pipes, metadata, loc))

    return step, False


def resolve_pipe(container: Container, pipe: Any, label: str) -> Any:
    """The pipe instance for ``pipe``: an instance as it is, a class built once now by the
    container (constructor injection); anything without ``transform()`` is refused."""
    if isinstance(pipe, type):
        name = pipe.__qualname__
        if not callable(getattr(pipe, "transform", None)):
            raise ConfigurationError(
                f"{label}: pipe {name} has no transform(value, metadata) method"
            )
        if not autoregister(container, pipe):
            container.register(pipe)
        try:
            getter = service_getter(container, pipe)
        except Exception as exc:
            raise ConfigurationError(
                f"{label}: cannot build pipe {name}: {exc}; pass an instance ({name}(...))"
                " or register its dependencies"
            ) from exc
        if getter.needs_scope or getter.is_async:
            raise ConfigurationError(
                f"{label}: pipe {name} needs request-scoped or async services, but pipes are"
                f" built once at startup; pass an instance ({name}(...))"
            )
        return getter.get(None)
    if not callable(getattr(pipe, "transform", None)):
        raise ConfigurationError(
            f"{label}: {pipe!r} is not a pipe: give an object with a"
            " transform(value, metadata) method, or its class"
        )
    return pipe
