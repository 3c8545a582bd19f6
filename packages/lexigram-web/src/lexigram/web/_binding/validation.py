"""Value validation for bound parameters: pydantic adapters built once, plus exact fast paths.

For a parameter annotated with plain ``int``, ``str``, ``float``, ``bool`` or ``UUID`` (or
``X | None``), the common spellings are converted directly; anything else falls through to the
parameter's pydantic ``TypeAdapter``, so results and error messages are pydantic's.
"""

from __future__ import annotations

import types
import typing
import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from lexigram.http_errors import HTTPError

from .signature import unwrap_optional

__all__ = [
    "Adapters",
    "ParamError",
    "RequestValidationError",
    "build_converter",
    "missing_error",
    "pydantic_errors",
]

_SLOW: Final = object()
_HEX36 = frozenset("0123456789abcdefABCDEF-")
_BOOLS: Final = {"true": True, "false": False, "1": True, "0": False, "True": True, "False": False}


class RequestValidationError(HTTPError):
    """The request's parameters failed validation: every error, in one problem.

    ``errors`` lists ``{"loc": [...], "msg": ..., "type": ...}`` entries; the status is the
    app's ``validation_status`` (422 unless configured to 400).
    """

    def __init__(self, errors: list[dict[str, Any]], status_code: int = 422) -> None:
        super().__init__(
            status_code,
            "Request validation failed",
            extensions={"errors": errors},
        )
        self.validation_errors = errors


class ParamError(Exception):
    """Raised by a binding step: the errors of one parameter (collected by the binder)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def missing_error(loc: Sequence[str | int]) -> dict[str, Any]:
    return {"loc": list(loc), "msg": "Field required", "type": "missing"}


def pydantic_errors(exc: ValidationError, loc: Sequence[str | int]) -> list[dict[str, Any]]:
    """pydantic errors with ``loc`` prefixed; never echoes the input."""
    prefix = list(loc)
    return [
        {"loc": [*prefix, *err["loc"]], "msg": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def _fast_int(raw: Any) -> Any:
    if type(raw) is str and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return _SLOW


def _fast_float(raw: Any) -> Any:
    if type(raw) is str and raw.isascii():
        whole, dot, frac = raw.partition(".")
        if whole.isdigit() and (not dot or frac.isdigit()) and len(raw) < 30:
            return float(raw)
    return _SLOW


def _fast_str(raw: Any) -> Any:
    return raw if type(raw) is str else _SLOW


def _fast_bool(raw: Any) -> Any:
    if type(raw) is str:
        return _BOOLS.get(raw, _SLOW)
    return _SLOW


def _fast_uuid(raw: Any) -> Any:
    if (
        type(raw) is str
        and len(raw) == 36
        and raw[8] == "-"
        and raw[13] == "-"
        and raw[18] == "-"
        and raw[23] == "-"
        and _HEX36.issuperset(raw)
    ):
        return uuid.UUID(raw)
    return _SLOW


_FAST: Final[dict[Any, Callable[[Any], Any]]] = {
    int: _fast_int,
    float: _fast_float,
    str: _fast_str,
    bool: _fast_bool,
    uuid.UUID: _fast_uuid,
}


def fast_path_for(annotation: Any) -> Callable[[Any], Any] | None:
    """The exact fast converter for ``annotation`` (``None`` when there is none)."""
    return _FAST.get(unwrap_optional(annotation))


class Adapters:
    """The pydantic ``TypeAdapter`` of each parameter type, built once per startup: the
    parameters of one type (``int``, ``str | None``, ``list[int]``, a model) share one.

    Only annotations made of classes are shared (a class, or a union or generic of them,
    told apart by the order of their members); anything else (``Annotated`` constraints,
    literals, forward references) gets its own adapter.
    """

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[Hashable, TypeAdapter[Any]] = {}

    def get(self, annotation: Any) -> TypeAdapter[Any]:
        key = _adapter_key(annotation)
        if key is None:
            return TypeAdapter(annotation)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = TypeAdapter(annotation)
        return found


def _adapter_key(annotation: Any) -> Hashable | None:
    if isinstance(annotation, type):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None or origin is typing.Annotated or origin is typing.Literal:
        return None
    keys: list[Hashable] = []
    for arg in typing.get_args(annotation):
        key = _adapter_key(arg)
        if key is None:
            return None
        keys.append(key)
    if origin is types.UnionType:
        origin = typing.Union  # int | None and Optional[int] validate alike
    return (origin, tuple(keys))


def build_converter(
    annotation: Any, adapters: Adapters | None = None
) -> Callable[[Any], Any] | None:
    """A ``convert(raw) -> value`` for ``annotation`` (raises ``ValidationError``).

    ``None`` means no conversion (unannotated or ``Any``); ``adapters``: the startup's shared
    adapters.
    """
    if annotation is Any or annotation is object:
        return None
    adapter = adapters.get(annotation) if adapters is not None else TypeAdapter(annotation)
    validate = adapter.validate_python
    fast = fast_path_for(annotation)
    if fast is None:
        return validate
    if fast is _fast_str:
        return lambda raw: raw if type(raw) is str else validate(raw)

    def convert(raw: Any) -> Any:
        value = fast(raw)
        return validate(raw) if value is _SLOW else value

    return convert
