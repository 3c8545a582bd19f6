"""Request dependencies: functions of the request that a handler parameter can name.

A parameter whose default is such a function (``user: Any = get_current_user_required``), or
whose ``Annotated`` metadata holds one (``user: Annotated[User, get_current_user_required]``),
receives ``await fn(request)``. The binding is decided at startup like any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["is_request_dependency", "request_dependency"]

_ATTR = "__lexigram_request_dependency__"

F = TypeVar("F", bound=Callable[[Any], Awaitable[Any]])


def request_dependency(fn: F) -> F:
    """Mark ``fn`` (``async def fn(request) -> value``) as usable as a handler parameter."""
    setattr(fn, _ATTR, True)
    return fn


def is_request_dependency(candidate: object) -> bool:
    """Whether ``candidate`` was marked with ``request_dependency``."""
    return callable(candidate) and getattr(candidate, _ATTR, False) is True
