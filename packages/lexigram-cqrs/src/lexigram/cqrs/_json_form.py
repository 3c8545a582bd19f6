"""How an event's fields become JSON and back: one converter per field, built once per type.

A dataclass event may hold ``str``, ``int``, ``float``, ``bool``, ``None``, ``Literal``s,
enums, ``datetime``, ``date``, ``UUID``, ``Decimal``, nested dataclasses, and ``list``,
``tuple``, ``dict[str, ...]`` and optional forms of those. Anything else is refused when the
type is registered, with the fix. JSON is orjson's when it is installed, else the stdlib's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import importlib
import json
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, cast

from ._errors import RegistrationError, type_name

Convert = Callable[[Any], Any]
"""Turns a decoded JSON value into the field's type (``None`` stands for "as it is")."""

_SCALARS: tuple[type[Any], ...] = (str, int, float, bool, type(None))


def _default(value: object) -> object:
    """The JSON form of the values json/orjson do not know natively."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
    raise TypeError(f"{type(value).__qualname__} values have no JSON form")


def _stdlib_dumps(value: object) -> bytes:
    return json.dumps(value, default=_default, separators=(",", ":")).encode()


def _pick_json() -> tuple[Callable[[object], bytes], Callable[[bytes | str], Any]]:
    try:
        orjson: Any = importlib.import_module("orjson")
    except ImportError:
        return _stdlib_dumps, json.loads
    option: int = orjson.OPT_PASSTHROUGH_DATACLASS
    encode: Callable[..., bytes] = orjson.dumps

    def dumps(value: object) -> bytes:
        return encode(value, default=_default, option=option)

    return dumps, orjson.loads


dumps, loads = _pick_json()


def converter(hint: Any, where: str) -> Convert | None:
    """The converter of one annotated type; raises ``RegistrationError`` if unsupported."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return converter(typing.get_args(hint)[0], where)
    if hint is Any or hint in _SCALARS or origin is typing.Literal:
        return None
    if isinstance(hint, type) and origin is None:
        return _class_converter(hint, where)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _union(args, where)
    if origin is list:
        return _each(list, converter(args[0], f"{where}[]") if args else None)
    if origin is tuple:
        return _tuple(args, where)
    if origin is dict:
        if args and args[0] is not str:
            raise _unsupported(hint, where, "JSON object keys are strings: use dict[str, ...]")
        inner = converter(args[1], f"{where}[]") if args else None
        return None if inner is None else (lambda v: {k: inner(x) for k, x in v.items()})
    raise _unsupported(hint, where)


def _class_converter(cls: type[Any], where: str) -> Convert | None:
    if issubclass(cls, enum.Enum):
        return cls
    if issubclass(cls, dt.datetime):
        return dt.datetime.fromisoformat
    if issubclass(cls, dt.date):
        return dt.date.fromisoformat
    if cls in (uuid.UUID, decimal.Decimal):
        return cls
    if dataclasses.is_dataclass(cls):
        return dataclass_converter(cls, where)
    if cls in (list, tuple, dict):
        return None if cls is not tuple else tuple
    raise _unsupported(cls, where)


def dataclass_converter(cls: type[Any], where: str) -> Convert:
    """``cls(**fields)`` from a decoded JSON object, each field converted."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:
        raise RegistrationError(
            f"cannot read the field types of {type_name(cls)} ({exc}); define the types it "
            "refers to at module level"
        ) from exc
    fields = [f.name for f in dataclasses.fields(cls) if f.init]
    plan = [(name, converter(hints.get(name, Any), f"{where}.{name}")) for name in fields]
    if all(convert is None for _, convert in plan):
        return lambda value: cls(**{name: value[name] for name in fields if name in value})
    steps = tuple(plan)

    def build(value: dict[str, Any]) -> Any:
        kwargs: dict[str, Any] = {}
        for name, convert in steps:
            if name in value:
                raw = value[name]
                kwargs[name] = raw if convert is None or raw is None else convert(raw)
        return cls(**kwargs)

    return build


def _union(args: tuple[Any, ...], where: str) -> Convert | None:
    arms = [a for a in args if a is not type(None)]
    converted = [c for c in (converter(a, where) for a in arms) if c is not None]
    if not converted:
        return None
    if len(arms) == 1:
        only = converted[0]
        return lambda v: None if v is None else only(v)
    raise _unsupported(
        typing.Union[tuple(args)],  # noqa: UP007
        where,
        "a union of several types that need converting cannot be told apart in JSON",
    )


def _each(kind: type[Any], inner: Convert | None) -> Convert | None:
    if inner is None:
        return tuple if kind is tuple else None
    return lambda v: kind(inner(x) for x in v)


def _tuple(args: tuple[Any, ...], where: str) -> Convert:
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        inner = converter(args[0], f"{where}[]") if args else None
        return cast("Convert", _each(tuple, inner))
    parts = [converter(a, f"{where}[{i}]") for i, a in enumerate(args)]
    return lambda v: tuple(x if c is None else c(x) for c, x in zip(parts, v, strict=True))


def _unsupported(hint: Any, where: str, why: str = "") -> RegistrationError:
    shown = getattr(hint, "__qualname__", None) or repr(hint)
    reason = f" ({why})" if why else ""
    return RegistrationError(
        f"{where} has type {shown}, which has no JSON form{reason}: use str, int, float, bool, "
        "None, an enum, datetime, date, UUID, Decimal, a dataclass, or list/tuple/dict[str, ...] "
        "of those; or make the event a pydantic model"
    )
