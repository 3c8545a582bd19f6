"""Module-level helpers: narrowing predicates, collecting and partitioning results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from ._result import Err, Ok

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from ._result import Result

T = TypeVar("T")
E = TypeVar("E")


def is_ok(result: Result[T, E]) -> TypeIs[Ok[T]]:
    """True for an ``Ok``; narrows ``result`` to ``Ok[T]`` (and to ``Err[E]`` when false)."""
    return type(result) is Ok


def is_err(result: Result[T, E]) -> TypeIs[Err[E]]:
    """True for an ``Err``; narrows ``result`` to ``Err[E]`` (and to ``Ok[T]`` when false)."""
    return type(result) is Err


def from_exception(exc: BaseException) -> Err[BaseException]:
    """Wrap a caught exception into an ``Err`` (also ``Err.from_exception``)."""
    return Err(exc)


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
