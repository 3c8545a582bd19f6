"""The extra middleware a ``DefaultMiddlewareStack`` accepts, each turned into a ``Middleware``.

Accepted, in any mix: a ``starlette.middleware.Middleware`` entry; a middleware class (built
with the wrapped app); a ``(cls, {options})`` pair; a factory function ``app -> app`` (a plain
function of one argument, e.g. ``lambda app: MyMiddleware(app, option=1)``); or an instance
in the call-next style,
either an object with ``async def dispatch(self, request, call_next)`` or an
``async def middleware(request, call_next)`` function. Call-next instances run through
Starlette's ``BaseHTTPMiddleware``, which is slower than a pure ASGI class: prefer a class on
hot paths.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, DispatchFunction
from starlette.types import ASGIApp

__all__ = ["adapt_extra"]

_FORMS = (
    "a middleware class, Middleware(MyMiddleware, option=...), a (MyMiddleware, {options}) "
    "pair, a factory function app -> app, or an instance with async dispatch(request, "
    "call_next) (or an async function taking (request, call_next))"
)


def adapt_extra(entry: object) -> Middleware:
    """``entry`` as a ``Middleware``; ``TypeError`` naming the accepted forms otherwise."""
    if isinstance(entry, Middleware):
        return entry
    if isinstance(entry, type):
        return Middleware(typing.cast("Callable[..., ASGIApp]", entry))
    if isinstance(entry, tuple):
        return _pair(typing.cast("tuple[object, ...]", entry))
    dispatch: Any = getattr(entry, "dispatch", None)
    if callable(dispatch) and _is_call_next(dispatch):
        return Middleware(BaseHTTPMiddleware, dispatch=typing.cast(DispatchFunction, dispatch))
    if callable(entry) and _is_call_next(entry):
        return Middleware(BaseHTTPMiddleware, dispatch=typing.cast(DispatchFunction, entry))
    if _is_factory(entry):
        return Middleware(typing.cast("Callable[..., ASGIApp]", entry))
    raise TypeError(f"extra middleware {entry!r} is not usable; pass {_FORMS}")


def _pair(entry: tuple[object, ...]) -> Middleware:
    if len(entry) == 2 and isinstance(entry[0], type) and isinstance(entry[1], Mapping):
        options = typing.cast("Mapping[str, Any]", entry[1])
        return Middleware(typing.cast("Callable[..., ASGIApp]", entry[0]), **options)
    raise TypeError(f"extra middleware {entry!r} is not a (class, {{options}}) pair; pass {_FORMS}")


def _is_call_next(fn: Callable[..., Any]) -> bool:
    """An ``async`` callable taking exactly (request, call_next)."""
    target = fn if inspect.isroutine(fn) else getattr(fn, "__call__", None)  # noqa: B004
    if target is None or not inspect.iscoroutinefunction(target):
        return False
    try:
        parameters = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) == 2


def _is_factory(entry: object) -> bool:
    """A plain (not ``async``) function or partial taking exactly one positional argument."""
    if not (
        inspect.isfunction(entry) or inspect.ismethod(entry) or isinstance(entry, functools.partial)
    ):
        return False
    fn = typing.cast("Callable[..., Any]", entry)
    if inspect.iscoroutinefunction(fn):
        return False
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [
        p
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(required) == 1
