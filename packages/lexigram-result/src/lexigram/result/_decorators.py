"""Decorators that turn raised exceptions into ``Err`` values."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar, cast

from ._result import Err, Ok, Result

P = ParamSpec("P")
R = TypeVar("R")
TBE = TypeVar("TBE", bound=BaseException)


def _check_exceptions(decorator: str, exceptions: tuple[type[BaseException], ...]) -> None:
    if not exceptions:
        raise TypeError(
            f"{decorator}() needs the exception types to catch, "
            f"e.g. @{decorator}(ValueError); it never catches everything implicitly"
        )
    candidates = cast("tuple[object, ...]", exceptions)
    for exc in candidates:
        if not (isinstance(exc, type) and issubclass(exc, BaseException)):
            raise TypeError(f"{decorator}() takes exception classes, got {exc!r}")


def as_result(
    *exceptions: type[TBE],
) -> Callable[[Callable[P, R]], Callable[P, Result[R, TBE]]]:
    """Make a function return ``Ok(return value)``, or ``Err(exc)`` for the listed exceptions.

    Other exceptions propagate unchanged.
    """
    _check_exceptions("as_result", exceptions)

    def decorator(func: Callable[P, R]) -> Callable[P, Result[R, TBE]]:
        if inspect.iscoroutinefunction(func):
            raise TypeError(
                f"as_result() wraps sync functions; use @as_async_result for {func.__qualname__}"
            )

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Result[R, TBE]:
            try:
                return Ok(func(*args, **kwargs))
            except exceptions as exc:
                return Err(exc)

        return wrapper

    return decorator


def as_async_result(
    *exceptions: type[TBE],
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[Result[R, TBE]]]]:
    """The async form of ``as_result``, for coroutine functions."""
    _check_exceptions("as_async_result", exceptions)

    def decorator(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[Result[R, TBE]]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> Result[R, TBE]:
            try:
                return Ok(await func(*args, **kwargs))
            except exceptions as exc:
                return Err(exc)

        return wrapper

    return decorator
