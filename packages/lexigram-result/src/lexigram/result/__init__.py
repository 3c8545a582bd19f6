"""Rust-style results: ``Result[T, E] = Ok[T] | Err[E]``.

``Result`` is a union type alias, so ``match`` over ``Ok``/``Err`` is exhaustive
and narrows under mypy and pyright with no plugin. ``Result.from_exception(exc)`` is
spelled ``from_exception(exc)`` or ``Err.from_exception(exc)`` (optionally with the ``Ok``
type: ``from_exception(exc, int)``): a union alias cannot carry methods for a type checker.
"""

from ._decorators import as_async_result, as_result
from ._errors import UnwrapError
from ._functions import collect, from_exception, is_err, is_ok, partition
from ._result import Err, Ok, OkErr, Result

__all__ = [
    "Err",
    "Ok",
    "OkErr",
    "Result",
    "UnwrapError",
    "as_async_result",
    "as_result",
    "collect",
    "from_exception",
    "is_err",
    "is_ok",
    "partition",
]
