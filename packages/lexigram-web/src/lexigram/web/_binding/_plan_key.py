"""The key under which handlers of one signature share their compiled binding plan (see
``compile_binding``)."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compiler import BindingPlan

__all__ = ["PlanCache", "plan_key"]

PlanCache = dict[tuple[Any, ...], "BindingPlan"]
"""Compiled plans by handler signature and route settings."""


def plan_key(
    fn: Callable[..., Any], settings: tuple[Any, ...], path_types: dict[str, type[Any]]
) -> tuple[Any, ...] | None:
    """What a plain function's plan depends on: its code, defaults and annotations (and the
    namespace they resolve in), the path's parameter types and the route's settings; ``None``
    when that cannot be told (a wrapper, a callable object, an unhashable default)."""
    if not isinstance(fn, types.FunctionType):
        return None
    own = fn.__dict__
    if "__wrapped__" in own or "__signature__" in own or getattr(fn, "__type_params__", None):
        return None
    kwdefaults = tuple(sorted((fn.__kwdefaults__ or {}).items()))
    key = (
        fn.__code__, fn.__defaults__, kwdefaults, tuple(fn.__annotations__.items()),
        id(fn.__globals__), tuple(path_types.items()), settings,
    )  # fmt: skip
    try:
        hash(key)
    except TypeError:
        return None
    return key
