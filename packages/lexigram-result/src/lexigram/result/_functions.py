"""Module-level helpers: narrowing predicates, collecting and partitioning results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._result import Err, Ok, check_exception

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from ._result import Result

T = TypeVar("T")
E = TypeVar("E")
X = TypeVar("X", bound=BaseException)


def is_ok(result: Result[T, E]) -> TypeIs[Ok[T]]:
    """True for an ``Ok``; narrows ``result`` to ``Ok[T]`` (and to ``Err[E]`` when false)."""
    return type(result) is Ok


def is_err(result: Result[T, E]) -> TypeIs[Err[E]]:
    """True for an ``Err``; narrows ``result`` to ``Err[E]`` (and to ``Ok[T]`` when false)."""
    return type(result) is Err


@overload
def from_exception(exc: X) -> Err[X]: ...
@overload
def from_exception(exc: X, ok_type: type[T]) -> Result[T, X]: ...
def from_exception(exc: BaseException, ok_type: object = None) -> Result[Any, Any]:
    """Wrap a caught exception in an ``Err``.

    ``from_exception(exc)`` is an ``Err[type(exc)]``; ``from_exception(exc, int)`` is typed as
    ``Result[int, type(exc)]``, for a function that returns a ``Result[int, ...]``
    (``ok_type`` only informs the type checker). This is the spelling of
    ``Result.from_exception``: ``Result`` is a union alias, which carries no methods for a type
    checker. ``Err.from_exception`` is the same function. A value that is not an exception
    raises ``TypeError``.
    """
    return Err(check_exception(exc))


def collect(results: Iterable[Result[T, E]]) -> Result[list[T], E]:
    """``Ok`` of every value, or the first ``Err`` met (the rest are not consumed)."""
    values: list[T] = []
    append = values.append
    for result in results:
        if type(result) is Err:
            return result
        append(result.unwrap())
    return Ok(values)


def partition(results: Iterable[Result[T, E]]) -> tuple[list[T], list[E]]:
    """Split results into the list of values and the list of errors, keeping order."""
    values: list[T] = []
    errors: list[E] = []
    for result in results:
        if isinstance(result, Ok):
            values.append(result.value)
        else:
            errors.append(result.error)
    return values, errors
