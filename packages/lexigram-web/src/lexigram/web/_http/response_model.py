"""The response model of a route: ``response_model=``, else the handler's return annotation.

Decided once per route at startup. A model annotation (a pydantic model, a dataclass or a
TypedDict, also inside ``list[...]``, ``dict[str, ...]``, ``X | None`` ...) makes the route
filter its answer to the declared fields and validate it; anything else (``Response``
classes, ``dict``, ``None``, ``Any``, scalars, streams) is sent as returned. ``Result`` types
declare their ``Ok`` payload. ``response_model=None`` opts out.

Per request, a value of exactly the declared model class is serialized directly (no
validation); anything else is validated first, and a mismatch raises
``ResponseValidationError``: a server bug, answered 500 and logged naming the route and the
fields.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import types
import typing
from collections.abc import Awaitable, Mapping
from typing import Annotated, Any, Final

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

from .._declare.decorators import FROM_ANNOTATION, RouteConfig
from .._declare.errors import ConfigurationError
from .responses import HTMLContent, Response

__all__ = [
    "EMPTY",
    "ResponseModel",
    "ResponseValidationError",
    "awaited",
    "is_result_like_class",
    "ok_type",
    "response_model_for",
]

EMPTY: Final = inspect.Parameter.empty
_CONTAINERS: Final = frozenset(
    {
        list,
        tuple,
        set,
        frozenset,
        dict,
        collections.abc.Sequence,
        collections.abc.Set,
        collections.abc.Mapping,
        collections.abc.MutableSequence,
        collections.abc.MutableMapping,
    }
)
_SHOWN_ERRORS: Final = 3


class ResponseValidationError(Exception):
    """A handler's answer does not match its declared response model (a server bug: 500).

    ``route`` is ``"METHOD /path/{template}"``; ``errors`` are pydantic's error dicts."""

    def __init__(self, route: str, model: str, errors: list[dict[str, Any]]) -> None:
        self.route = route
        self.errors = errors
        shown = "; ".join(_describe(error) for error in errors[:_SHOWN_ERRORS])
        more = f" (and {len(errors) - _SHOWN_ERRORS} more)" if len(errors) > _SHOWN_ERRORS else ""
        super().__init__(
            f"the response of {route} does not match its declared model {model}: {shown}{more};"
            " fix the handler or its return annotation (response_model=None sends the value"
            " unchecked)"
        )


def _describe(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())) or "(the value)"
    return f"field {where!r}: {error.get('msg', 'invalid')}"


class ResponseModel:
    """How one route checks its answers (see the module docstring)."""

    __slots__ = ("adapter", "exact", "name", "route")

    def __init__(self, declared: Any, route: str, adapter: TypeAdapter[Any] | None = None) -> None:
        try:
            self.adapter: TypeAdapter[Any] = adapter or TypeAdapter(declared)
        except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as exc:
            raise ConfigurationError(
                f"{route}: its response model {_name(declared)} cannot be validated by"
                f" pydantic ({exc}); declare a model pydantic supports, or opt out with"
                " response_model=None"
            ) from exc
        self.exact: type[Any] | None = declared if isinstance(declared, type) else None
        self.name = _name(declared)
        self.route = route

    def dump(self, value: Any) -> bytes:
        """``value`` as JSON, filtered to the declared fields; ``ResponseValidationError``
        when it does not match."""
        if value.__class__ is self.exact:
            if isinstance(value, BaseModel):
                return value.__pydantic_serializer__.to_json(value)
            return self.adapter.dump_json(value)
        adapter = self.adapter
        try:
            checked = adapter.validate_python(value, from_attributes=True)
        except ValidationError as exc:
            raise ResponseValidationError(
                self.route, self.name, [dict(e) for e in exc.errors(include_url=False)]
            ) from None
        return adapter.dump_json(checked)

    def check_none(self) -> None:
        """Raise ``ResponseValidationError`` when the declared type does not admit ``None``."""
        try:
            self.adapter.validate_python(None)
        except ValidationError as exc:
            raise ResponseValidationError(
                self.route, self.name, [dict(e) for e in exc.errors(include_url=False)]
            ) from None


def _name(declared: Any) -> str:
    return getattr(declared, "__qualname__", None) or repr(declared)


def awaited(annotation: Any) -> Any:
    """``Awaitable[T]`` -> ``T`` (a sync handler returning an awaitable); else ``annotation``."""
    if typing.get_origin(annotation) is Awaitable:
        return typing.get_args(annotation)[0]
    return annotation


def is_result_like_class(cls: type) -> bool:
    return all(callable(getattr(cls, name, None)) for name in ("is_ok", "unwrap", "unwrap_err"))


def ok_type(annotation: Any) -> Any:
    """The success payload of a ``Result``-like annotation (``Ok[T] | Err[E]`` -> ``T``), else
    ``annotation`` (``EMPTY`` for an ``Ok`` without a type argument)."""
    members = _union_members(annotation)
    variants = [(typing.get_origin(m) or m, m) for m in members]
    if not all(isinstance(cls, type) and is_result_like_class(cls) for cls, _ in variants):
        return annotation
    for cls, member in variants:
        if cls.__name__ == "Ok":
            args = typing.get_args(member)
            return args[0] if args else EMPTY
    return EMPTY


def _union_members(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return (annotation,)


def _is_response_class(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Response | HTMLContent)


def _is_model_class(annotation: Any) -> bool:
    if not isinstance(annotation, type):
        return False
    cls = typing.cast("type[Any]", annotation)
    return (
        issubclass(cls, BaseModel)
        or dataclasses.is_dataclass(cls)
        or (issubclass(cls, dict) and getattr(annotation, "__required_keys__", None) is not None)
    )


def _declares_model(annotation: Any) -> bool:
    """Whether ``annotation`` is, or contains (in a union or a container), a model class."""
    if _is_model_class(annotation):
        return True
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _declares_model(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType or origin in _CONTAINERS:
        return any(_declares_model(arg) for arg in typing.get_args(annotation))
    return False


def _without_responses(annotation: Any) -> Any:
    """``Item | RedirectResponse`` -> ``Item``: responses a handler returns pass untouched."""
    members = _union_members(annotation)
    kept = [m for m in members if not _is_response_class(m)]
    if len(kept) == len(members):
        return annotation
    if not kept:
        return None
    return typing.Union[tuple(kept)] if len(kept) > 1 else kept[0]  # noqa: UP007


def declared_type(returns: Any, config: RouteConfig) -> Any:
    """The type a route's answers are checked against, or ``None`` for none; ``returns`` is
    the handler's resolved return annotation."""
    explicit = config.response_model
    if explicit is None:
        return None
    if explicit is not FROM_ANNOTATION:
        return explicit
    annotation = _without_responses(ok_type(awaited(returns)))
    return annotation if _declares_model(annotation) else None


def response_model_for(returns: Any, config: RouteConfig, route: str) -> ResponseModel | None:
    """The checker of a route's answers (``None``: sent as returned), built at startup from
    the handler's resolved return annotation ``returns``."""
    declared = declared_type(returns, config)
    return ResponseModel(declared, route) if declared is not None else None
