"""Exception filters: handlers keyed by exception type or status code.

Declared on the app (``exception_handlers=``, ``filters=``), a controller (class attribute
``exception_handlers`` or ``@use_filters``) or a handler (``exception_handlers=`` in the route
decorator, or ``@use_filters``). A filter class decorated with ``@catch(KeyError, 404)`` has a
``catch(exc, context)`` method; a plain handler is ``handler(request, exc)``. Either may be sync or
async and may return a ``Response`` or any value a handler may return (rendered with the error's
status). Unhandled errors fall back to lexigram-http-errors' problem+json renderer.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from lexigram.http_errors import ExceptionHandlers, HandlerKey

from .._declare.metadata import adding

__all__ = ["ErrorHandler", "build_level", "catch", "catch_keys", "use_filters"]

T = TypeVar("T")
ErrorHandler = Callable[[Any, BaseException], Awaitable[Any]]
_CATCH_ATTR = "__lexigram_catch__"


def catch(*keys: HandlerKey) -> Callable[[type[T]], type[T]]:
    """Mark a filter class: its ``catch(exc, context)`` handles ``keys``.

    ``keys`` are exception classes or status codes; none means every exception."""

    def decorate(cls: type[T]) -> type[T]:
        if not callable(getattr(cls, "catch", None)):
            raise TypeError(f"@catch: {cls.__qualname__} must define catch(self, exc, context)")
        setattr(cls, _CATCH_ATTR, tuple(keys))
        return cls

    return decorate


def catch_keys(filter_: Any) -> tuple[HandlerKey, ...] | None:
    target = filter_ if isinstance(filter_, type) else type(filter_)
    keys = getattr(target, _CATCH_ATTR, None)
    return tuple(keys) if keys is not None else None


def use_filters(*filters: Any) -> Callable[[T], T]:
    """Attach ``@catch`` filter classes (or instances) to a handler or controller."""
    for item in filters:
        if catch_keys(item) is None:
            raise TypeError(f"use_filters: {item!r} is not decorated with @catch(...)")
    return adding("filters", filters)


def _from_filter(instance: Any) -> ErrorHandler:
    method = instance.catch

    async def handle(context: Any, exc: BaseException) -> Any:
        result = method(exc, context)
        if inspect.isawaitable(result):
            result = await result
        return result

    return handle


def _from_function(fn: Callable[..., Any]) -> ErrorHandler:
    async def handle(context: Any, exc: BaseException) -> Any:
        result = fn(context.request, exc)
        if inspect.isawaitable(result):
            result = await result
        return result

    return handle


def build_level(
    handlers: Mapping[HandlerKey, Any] | None,
    filter_instances: list[Any],
    parent: ExceptionHandlers[ErrorHandler] | None,
) -> ExceptionHandlers[ErrorHandler] | None:
    """One level of the chain (``None`` when it declares nothing and has no parent)."""
    if not handlers and not filter_instances:
        return parent
    level: ExceptionHandlers[ErrorHandler] = ExceptionHandlers(parent=parent)
    for key, fn in (handlers or {}).items():
        if callable(getattr(fn, "catch", None)) and not inspect.isroutine(fn):
            level.add(key, _from_filter(fn), replace=True)
        else:
            level.add(key, _from_function(fn), replace=True)
    for instance in filter_instances:
        wrapped = _from_filter(instance)
        keys = catch_keys(instance) or ()
        if not keys:
            level.set_fallback(wrapped)
        for key in keys:
            level.add(key, wrapped, replace=True)
    return level
