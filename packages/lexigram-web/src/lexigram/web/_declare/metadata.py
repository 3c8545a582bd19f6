"""Decorator metadata stored on handler functions and controller classes.

Each decorated object carries its own ``__lexigram_meta__`` dict (copied on write, never shared
with a base class or a wrapped function). Nothing here is global: the app reads this metadata
once at startup.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

__all__ = [
    "META_ATTR",
    "add_items",
    "adding",
    "meta_of",
    "mro_items",
    "mro_mapping",
    "mro_value",
    "read_items",
    "read_mapping",
    "read_value",
    "set_value",
    "setting",
    "update_mapping",
]

T = TypeVar("T")

META_ATTR = "__lexigram_meta__"


def meta_of(target: Any) -> dict[str, Any]:
    """The metadata declared directly on ``target`` (not inherited); empty when none."""
    if isinstance(target, type):
        meta = target.__dict__.get(META_ATTR)
    else:
        meta = getattr(target, META_ATTR, None)
    return typing.cast(dict[str, Any], meta) if isinstance(meta, dict) else {}


def _write(target: Any, meta: dict[str, Any]) -> None:
    setattr(target, META_ATTR, meta)


def add_items(target: Any, key: str, items: Iterable[Any]) -> None:
    """Prepend ``items`` under ``key``: stacked decorators then read top to bottom."""
    meta = dict(meta_of(target))
    meta[key] = (*items, *meta.get(key, ()))
    _write(target, meta)


def update_mapping(target: Any, key: str, values: dict[Any, Any]) -> None:
    meta = dict(meta_of(target))
    merged = dict(meta.get(key, {}))
    merged.update(values)
    meta[key] = merged
    _write(target, meta)


def set_value(target: Any, key: str, value: Any) -> None:
    meta = dict(meta_of(target))
    meta[key] = value
    _write(target, meta)


def adding(key: str, items: Iterable[Any]) -> Callable[[T], T]:
    """A decorator prepending ``items`` under ``key`` (see ``add_items``)."""
    items = tuple(items)

    def decorate(target: T) -> T:
        add_items(target, key, items)
        return target

    return decorate


def setting(key: str, value: Any) -> Callable[[T], T]:
    """A decorator storing ``value`` under ``key`` (see ``set_value``)."""

    def decorate(target: T) -> T:
        set_value(target, key, value)
        return target

    return decorate


def read_items(target: Any, key: str) -> tuple[Any, ...]:
    value = meta_of(target).get(key, ())
    return tuple(value)


def read_mapping(target: Any, key: str) -> dict[Any, Any]:
    return dict(meta_of(target).get(key, {}))


def read_value(target: Any, key: str, default: Any = None) -> Any:
    return meta_of(target).get(key, default)


def mro_items(cls: type, key: str) -> list[Any]:
    """``read_items`` along ``cls``'s MRO, bases first."""
    items: list[Any] = []
    for klass in reversed(cls.__mro__):
        items.extend(read_items(klass, key))
    return items


def mro_mapping(cls: type, key: str) -> dict[str, Any]:
    """``read_mapping`` merged along ``cls``'s MRO (subclasses win)."""
    merged: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        merged.update(read_mapping(klass, key))
    return merged


def mro_value(cls: type, key: str) -> Any:
    """The nearest ``read_value`` along ``cls``'s MRO (``None`` when none)."""
    for klass in cls.__mro__:
        value = read_value(klass, key)
        if value is not None:
            return value
    return None
