"""Typed path-parameter converters (``{id:int}``, ``{id:uuid}``, ``{rest:path}``, ...).

A converter turns one path segment into a value, or answers ``None`` when the segment does not
match (the router then tries the next candidate). No regular expressions: each check is a couple
of string predicates, so matching stays cheap whatever the number of routes.
"""

from __future__ import annotations

import math
import uuid
from typing import Any, ClassVar

__all__ = ["CONVERTERS", "Converter"]

_HEX = frozenset("0123456789abcdefABCDEF")


class Converter:
    """``convert`` a segment (``None`` when it does not match); ``to_string`` goes back."""

    name: ClassVar[str] = "str"
    python_type: ClassVar[type[Any]] = str
    priority: ClassVar[int] = 50
    """Candidates at one trie level are tried in ascending priority (specific before generic)."""

    def convert(self, segment: str) -> Any:
        return segment or None

    def to_string(self, value: Any) -> str:
        text = str(value)
        if not text or "/" in text:
            raise ValueError(f"path parameter value {text!r} must be non-empty and contain no '/'")
        return text


class IntConverter(Converter):
    name = "int"
    python_type = int
    priority = 10

    def convert(self, segment: str) -> Any:
        if segment.isascii() and segment.isdigit():
            try:
                return int(segment)
            except ValueError:  # more digits than int() converts: no such resource
                return None
        return None

    def to_string(self, value: Any) -> str:
        number = int(value)
        if number < 0:
            raise ValueError("an {name:int} path parameter cannot be negative")
        return str(number)


class FloatConverter(Converter):
    name = "float"
    python_type = float
    priority = 20

    def convert(self, segment: str) -> Any:
        if not segment.isascii():
            return None
        whole, dot, frac = segment.partition(".")
        if whole.isdigit() and (not dot or frac.isdigit()):
            number = float(segment)
            return number if number != math.inf else None
        return None

    def to_string(self, value: Any) -> str:
        number = float(value)
        if math.isnan(number) or math.isinf(number) or number < 0:
            raise ValueError("a {name:float} path parameter must be finite and non-negative")
        return repr(number)


class UUIDConverter(Converter):
    name = "uuid"
    python_type = uuid.UUID
    priority = 5

    def convert(self, segment: str) -> Any:
        size = len(segment)
        if size == 36:
            if segment[8] != "-" or segment[13] != "-" or segment[18] != "-" or segment[23] != "-":
                return None
            digits = segment.replace("-", "")
        elif size == 32:
            digits = segment
        else:
            return None
        if _HEX.issuperset(digits):
            return uuid.UUID(digits)
        return None

    def to_string(self, value: Any) -> str:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


class PathConverter(Converter):
    """Matches the rest of the path, slashes included (only allowed as the last segment)."""

    name = "path"
    python_type = str
    priority = 100

    def convert(self, segment: str) -> Any:
        return segment

    def to_string(self, value: Any) -> str:
        return str(value)


CONVERTERS: dict[str, Converter] = {
    "str": Converter(),
    "int": IntConverter(),
    "float": FloatConverter(),
    "uuid": UUIDConverter(),
    "path": PathConverter(),
}
