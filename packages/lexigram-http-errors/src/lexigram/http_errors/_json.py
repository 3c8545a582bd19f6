"""JSON encoding to UTF-8 bytes: orjson when it is installed, the standard library otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["HAS_ORJSON", "dumps", "dumps_ascii", "dumps_stdlib"]

_stdlib_encoder = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str
)
_ascii_encoder = json.JSONEncoder(
    ensure_ascii=True, separators=(",", ":"), allow_nan=False, default=repr
)


def dumps_stdlib(obj: Any) -> bytes:
    """Compact UTF-8 JSON with the standard library; unknown objects become ``str(obj)``."""
    return _stdlib_encoder.encode(obj).encode("utf-8")


def dumps_ascii(obj: Any) -> bytes:
    """Last-resort encoding: pure ASCII (lone surrogates survive as escapes), ``repr`` fallback."""
    return _ascii_encoder.encode(obj).encode("ascii")


def _make_orjson_dumps() -> Callable[[Any], bytes] | None:
    try:
        import orjson
    except ImportError:
        return None
    options = orjson.OPT_NON_STR_KEYS
    orjson_dumps = orjson.dumps

    def dumps_orjson(obj: Any) -> bytes:
        """Compact UTF-8 JSON with orjson; unknown objects become ``str(obj)``. Plain JSON
        data is encoded without the options first (the same bytes, cheaper); a key that is
        not a ``str`` or a value orjson does not know takes the options."""
        try:
            return orjson_dumps(obj)
        except TypeError:
            return orjson_dumps(obj, default=str, option=options)

    return dumps_orjson


_orjson_dumps = _make_orjson_dumps()
HAS_ORJSON: bool = _orjson_dumps is not None
dumps: Callable[[Any], bytes] = _orjson_dumps if _orjson_dumps is not None else dumps_stdlib
"""Encode ``obj`` as compact UTF-8 JSON (orjson if importable, else the standard library)."""
