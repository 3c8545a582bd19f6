"""Refusing JSON objects that repeat a key.

orjson (like most parsers) keeps the last of two equal keys, so ``{"customer": "A",
"customer": "B"}`` would silently become ``B``. Checking costs almost nothing in the common
case: every key is followed by one ``:``, so a body with no more colons than the distinct
keys already seen cannot repeat one. Only when colons outnumber them (a repeated key, or a
colon inside a string such as a timestamp) is the body parsed again with the standard
library's ``object_pairs_hook``, which names the repeated key.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from pydantic import BaseModel

from lexigram.http_errors import BadRequestError

__all__ = ["check_duplicate_keys", "count_keys", "fields_bound_keys"]

_UNPARSED: Any = object()


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Repeated(key)
            seen.add(key)
    return result


def count_keys(value: Any) -> int:
    """The number of keys in every object of a parsed JSON ``value`` (no recursion)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        kind = item.__class__
        if kind is dict:
            total += len(item)
            stack.extend(v for v in item.values() if v.__class__ is dict or v.__class__ is list)
        elif kind is list:
            stack.extend(v for v in item if v.__class__ is dict or v.__class__ is list)
    return total


def fields_bound_keys(model: object) -> bool:
    """Whether ``len(instance.model_fields_set)`` never exceeds the keys of the input object:
    true for a pydantic model without model validators or ``model_post_init`` (either could
    set fields the input did not name)."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return False
    decorators = model.__pydantic_decorators__
    return not decorators.model_validators and model.__pydantic_post_init__ is None


def check_duplicate_keys(body: bytes, distinct: int = 0, parsed: Any = _UNPARSED) -> None:
    """Raise a 400 naming the key when an object of ``body`` (valid JSON) repeats one.

    ``distinct`` is a lower bound of the distinct keys in ``body`` the caller already knows
    (the fields a model was given); ``parsed`` is ``body`` already parsed, when at hand.
    """
    colons = body.count(b":")
    if colons < 2 or colons <= distinct:
        return
    if parsed is _UNPARSED:
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:  # valid for pydantic, not orjson (a huge integer)
            parsed = None
    if colons <= count_keys(parsed):
        return
    try:
        json.loads(body, object_pairs_hook=_pairs)
    except _Repeated as repeated:
        raise BadRequestError(
            f"the JSON body repeats the key {repeated.key!r}; send each key once"
        ) from None
    except (RecursionError, ValueError):
        raise BadRequestError("request body is not valid JSON (or nested too deeply)") from None
