"""JSON encoding with orjson; pydantic models go through pydantic's own serializer."""

from __future__ import annotations

import decimal
import typing
from typing import Any

import orjson
from pydantic import BaseModel

__all__ = ["dumps", "json_default", "loads"]

loads = orjson.loads


def json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return list(typing.cast(set[Any], value))
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    """Encode ``value`` as JSON bytes (a pydantic model with its own serializer)."""
    if isinstance(value, BaseModel):
        return value.__pydantic_serializer__.to_json(value)
    return orjson.dumps(value, default=json_default)
