"""Read a handler's signature once, at startup, into ``HandlerParam`` records."""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel

from .._declare.dependencies import is_request_dependency
from .._declare.params import Param

__all__ = ["HandlerParam", "HintsCache", "read_handler", "read_signature", "unwrap_optional"]


@dataclass(frozen=True, slots=True)
class HandlerParam:
    name: str
    annotation: Any
    """The annotation without the ``Param`` marker (``inspect.Parameter.empty`` when absent)."""
    default: Any
    """The Python default (``...`` when none; a marker default is moved to ``marker``)."""
    marker: Param | None
    dependency: Callable[[Any], Awaitable[Any]] | None = None
    """A request dependency (``get_current_user_required``) named by the default or by
    ``Annotated`` metadata: the parameter receives ``await dependency(context)``."""


def unwrap_optional(annotation: Any) -> Any:
    """``X | None`` -> ``X`` (other unions unchanged)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def strip_annotated(annotation: Any) -> tuple[Any, Param | None]:
    """Remove a ``Param`` marker from ``Annotated[...]`` metadata; keep the other metadata."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation, None
    base, *extras = typing.get_args(annotation)
    marker: Param | None = None
    rest: list[Any] = []
    for extra in extras:
        if isinstance(extra, Param):
            marker = extra
        else:
            rest.append(extra)
    if marker is None:
        return annotation, None
    if rest:
        return Annotated[(base, *rest)], marker
    return base, marker


def _is_model_class(target: Any) -> bool:
    if not isinstance(target, type):
        return False
    cls: type[Any] = target
    return issubclass(cls, BaseModel) or dataclasses.is_dataclass(cls)


def is_model_type(annotation: Any) -> bool:
    """Bound from the JSON body by default: pydantic models, dataclasses, mappings, and
    sequences of models."""
    target = unwrap_optional(annotation)
    if typing.get_origin(target) is Annotated:
        target = typing.get_args(target)[0]
    if _is_model_class(target) or target is dict:
        return True
    origin = typing.get_origin(target)
    if origin is dict or origin is collections.abc.Mapping:
        return True
    if origin in (list, tuple, set, frozenset, collections.abc.Sequence):
        return any(_is_model_class(arg) for arg in typing.get_args(target))
    return False


def read_signature(fn: Callable[..., Any], *, skip_first: bool, label: str) -> list[HandlerParam]:
    """Parameters of ``fn`` with resolved type hints; raises ``TypeError`` naming ``label``."""
    return read_handler(fn, skip_first=skip_first, label=label)[0]


HintsCache = dict[tuple[int, tuple[tuple[str, str], ...]], dict[str, Any]]
"""Resolved type hints of handlers whose annotations are all strings, keyed by the module
namespace they resolve in and the strings: one compile of a startup shares them (the same
handler factory used for thousands of routes resolves its annotations once)."""


def _type_hints(fn: Callable[..., Any], cache: HintsCache | None) -> dict[str, Any]:
    annotations: dict[str, Any] | None = getattr(fn, "__annotations__", None)
    own_params: Any = getattr(fn, "__type_params__", None)  # resolved per function
    if cache is None or own_params or not annotations:
        return typing.get_type_hints(fn, include_extras=True)
    items = tuple(annotations.items())
    if not all(isinstance(value, str) for _, value in items):
        return typing.get_type_hints(fn, include_extras=True)
    inner: Any = inspect.unwrap(fn)  # get_type_hints resolves in the innermost globals
    key = (id(getattr(inner, "__globals__", None)), items)
    hints = cache.get(key)
    if hints is None:
        hints = cache[key] = typing.get_type_hints(fn, include_extras=True)
    return hints


def read_handler(
    fn: Callable[..., Any], *, skip_first: bool, label: str, hints_cache: HintsCache | None = None
) -> tuple[list[HandlerParam], Any]:
    """``read_signature`` plus the resolved return annotation (``inspect.Parameter.empty``
    when there is none), from one resolution of the type hints (shared through
    ``hints_cache`` with the handlers annotated alike in the same module)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cannot read the signature of {label}: {exc}") from exc
    try:
        hints = _type_hints(fn, hints_cache)
    except Exception as exc:
        raise TypeError(
            f"cannot resolve the type hints of {label}: {exc}; define the types it names at"
            " module level (or import them) so they can be resolved"
        ) from exc
    params: list[HandlerParam] = []
    items = list(signature.parameters.values())
    if skip_first:
        items = items[1:]
    for param in items:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.kind is param.POSITIONAL_ONLY:
            raise TypeError(
                f"{label}: parameter {param.name!r} is positional-only; handlers are called with"
                " keyword arguments, remove the '/'"
            )
        annotation, marker = strip_annotated(hints.get(param.name, inspect.Parameter.empty))
        annotation, dependency = _strip_dependency(annotation)
        default = param.default
        if isinstance(default, Param):
            marker = marker or default
            default = ...
        elif is_request_dependency(default):
            dependency = dependency or default
            default = ...
        elif default is inspect.Parameter.empty:
            default = ...
        if dependency is not None and marker is not None:
            raise TypeError(
                f"{label}: parameter {param.name!r} has both a {marker.source.value}() marker and"
                f" a dependency ({getattr(dependency, '__name__', dependency)}); keep one"
            )
        params.append(HandlerParam(param.name, annotation, default, marker, dependency))
    return params, hints.get("return", inspect.Parameter.empty)


def _strip_dependency(annotation: Any) -> tuple[Any, Any]:
    """Remove a request dependency from ``Annotated[...]`` metadata: (annotation, dependency)."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation, None
    base, *extras = typing.get_args(annotation)
    found = [extra for extra in extras if is_request_dependency(extra)]
    if not found:
        return annotation, None
    rest = [extra for extra in extras if not is_request_dependency(extra)]
    return (Annotated[(base, *rest)] if rest else base), found[0]
