"""Built-in pipes: ``transform(value, metadata)`` before a parameter reaches its handler.

Pipes run in order global -> controller -> handler -> parameter, on the raw value (``None`` when
the request does not carry it), before the parameter's own validation. A pipe raising
``ValueError``/``TypeError`` adds an entry to the request's single 422 problem; a pipe raising an
``HTTPError`` answers with that error. ``prepare(metadata)``, when a pipe defines it, is called
once per parameter at startup.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter

from .._declare.params import ParamMetadata

__all__ = [
    "DefaultValuePipe",
    "ParseBoolPipe",
    "ParseDatePipe",
    "ParseEnumPipe",
    "ParseIntPipe",
    "ParseUUIDPipe",
    "ValidationPipe",
]

_TRUE = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "off", "n", "f"})


def _required(value: Any, metadata: ParamMetadata) -> Any:
    if value is None:
        raise ValueError(f"{metadata.wire_name} is required")
    return value


class ParseIntPipe:
    """Parse an integer (``"42"`` -> ``42``)."""

    def transform(self, value: Any, metadata: ParamMetadata) -> int:
        value = _required(value, metadata)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"{metadata.wire_name} must be an integer") from None


class ParseBoolPipe:
    """Parse a boolean (``true/false``, ``1/0``, ``yes/no``, ``on/off``)."""

    def transform(self, value: Any, metadata: ParamMetadata) -> bool:
        value = _required(value, metadata)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{metadata.wire_name} must be a boolean")


class ParseUUIDPipe:
    """Parse a UUID, optionally requiring a version."""

    def __init__(self, version: int | None = None) -> None:
        self.version = version

    def transform(self, value: Any, metadata: ParamMetadata) -> uuid.UUID:
        value = _required(value, metadata)
        try:
            parsed = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            raise ValueError(f"{metadata.wire_name} must be a UUID") from None
        if self.version is not None and parsed.version != self.version:
            raise ValueError(f"{metadata.wire_name} must be a version {self.version} UUID")
        return parsed


class ParseDatePipe:
    """Parse an ISO 8601 date (``datetime=True``: a date-time)."""

    def __init__(self, *, datetime: bool = False) -> None:
        self.datetime = datetime

    def transform(self, value: Any, metadata: ParamMetadata) -> dt.date:
        value = _required(value, metadata)
        if isinstance(value, dt.date) and (not self.datetime or isinstance(value, dt.datetime)):
            return value
        try:
            if self.datetime:
                return dt.datetime.fromisoformat(str(value))
            return dt.date.fromisoformat(str(value))
        except ValueError:
            kind = "date-time" if self.datetime else "date"
            raise ValueError(f"{metadata.wire_name} must be an ISO 8601 {kind}") from None


class ParseEnumPipe:
    """Parse a member of ``enum_type`` by value (or, failing that, by name)."""

    def __init__(self, enum_type: type[enum.Enum]) -> None:
        self.enum_type = enum_type

    def transform(self, value: Any, metadata: ParamMetadata) -> enum.Enum:
        value = _required(value, metadata)
        if isinstance(value, self.enum_type):
            return value
        for member in self.enum_type:
            if str(member.value) == str(value):
                return member
        try:
            return self.enum_type[str(value)]
        except KeyError:
            allowed = ", ".join(str(m.value) for m in self.enum_type)
            raise ValueError(f"{metadata.wire_name} must be one of: {allowed}") from None


class DefaultValuePipe:
    """Replace a missing (or empty) value with ``default``."""

    def __init__(self, default: Any) -> None:
        self.default = default

    def transform(self, value: Any, metadata: ParamMetadata) -> Any:
        return self.default if value is None or value == "" else value


class ValidationPipe:
    """Validate a parameter with ``validator``, else with its own annotation.

    ``validator`` is a pydantic model, a type, or a callable; adapters are built at startup
    by ``prepare``."""

    def __init__(self, validator: type[Any] | Callable[[Any], Any] | None = None) -> None:
        self.validator = validator
        self._adapters: dict[int, Callable[[Any], Any]] = {}

    def prepare(self, metadata: ParamMetadata) -> None:
        target = self.validator
        if target is None:
            target = metadata.expected_type
        if isinstance(target, type) and issubclass(target, BaseModel):
            self._adapters[id(metadata)] = target.model_validate
        elif isinstance(target, type) or (target is not None and not callable(target)):
            self._adapters[id(metadata)] = TypeAdapter(target).validate_python
        elif target is not None:
            self._adapters[id(metadata)] = target

    def transform(self, value: Any, metadata: ParamMetadata) -> Any:
        check = self._adapters.get(id(metadata))
        if check is None:
            return value
        return check(value)
