"""Rust-style results: ``Result[T, E] = Ok[T] | Err[E]``.

``Result`` is a union type alias, so ``match`` over ``Ok``/``Err`` is exhaustive
and narrows under mypy and pyright with no plugin. Wrapping a caught exception is
``from_exception(exc)`` or ``Err.from_exception(exc)``: a union alias cannot carry methods
for a type checker, so there is no ``Result.from_exception``.
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
