"""Whole numbers in strict JSON bodies.

JSON has one number type, and the OpenAPI 3.1 document (JSON Schema 2020-12) counts any number
with a zero fraction as an integer: ``2.0`` is the integer 2. Pydantic's strict mode refuses
it for an ``int`` field, so a body that failed only there is validated again with those values
written as integers. This runs only for a body that failed validation, never on a valid one.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from .._http.json import loads

__all__ = ["whole_numbers"]


def _as_integer(error: Any) -> int | None:
    """The integer an ``int_type`` error's input stands for, if it is a whole float."""
    value = error.get("input")
    if error["type"] != "int_type" or type(value) is not float or not value.is_integer():
        return None
    return int(value)


def _holds(node: Any, key: int | str) -> bool:
    """Whether ``key`` names an entry of the JSON object or array ``node``."""
    if isinstance(node, dict):
        return isinstance(key, str) and key in node
    if isinstance(node, list):
        return isinstance(key, int) and 0 <= key < len(node)  # pyright: ignore[reportUnknownArgumentType]
    return False


def _replace(root: Any, loc: tuple[int | str, ...], number: int) -> Any:
    """``root`` with the float at ``loc`` (equal to ``number``) replaced by ``number``, in
    place; parts of ``loc`` that name no key or index are union members and are skipped."""
    parent: Any = None
    slot: int | str = 0
    node: Any = root
    for key in loc:
        if _holds(node, key):
            parent, slot, node = node, key, node[key]
    if type(node) is not float or node != number:
        return root
    if parent is None:
        return number
    parent[slot] = number
    return root


def whole_numbers(payload: bytes, exc: ValidationError) -> bytes | None:
    """``payload`` with each whole float that ``exc`` refused as an integer written as that
    integer, or ``None`` when there is none (``exc``'s errors stand as they are)."""
    wanted = [
        (tuple(error["loc"]), number)
        for error in exc.errors(include_url=False)
        if (number := _as_integer(error)) is not None
    ]
    if not wanted:
        return None
    try:
        data: Any = loads(payload)
    except ValueError:
        return None
    for loc, number in wanted:
        data = _replace(data, loc, number)
    return json.dumps(data, ensure_ascii=False).encode()
