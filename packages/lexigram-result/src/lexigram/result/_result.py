"""The two variants of a result: ``Ok`` holds a value, ``Err`` holds an error.

``Result[T, E]`` is the union ``Ok[T] | Err[E]``. Each variant implements every
combinator with the signature that is exact for that variant, so a type checker
working on the union combines both into a precise result type, and ``match``
over ``Ok``/``Err`` is exhaustive with no plugin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, Never, NoReturn, Self, TypeAlias, TypeVar, cast, final, overload

from ._errors import UnwrapError

T_co = TypeVar("T_co", covariant=True)
E_co = TypeVar("E_co", covariant=True)
U = TypeVar("U")
F = TypeVar("F")
X = TypeVar("X", bound=BaseException)
T = TypeVar("T")
E = TypeVar("E")


def check_exception(exc: X) -> X:
    """``exc`` itself; a ``TypeError`` naming the fix when it is not an exception."""
    if not isinstance(exc, BaseException):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"from_exception() takes the caught exception, got {exc!r}; for any other "
            "error value use Err(value)"
        )
    return exc


@final
class Ok(Generic[T_co]):
    """The success variant: wraps ``value``.

    Immutable by interface: the payload is a read-only property, the class is
    slotted (no new attributes) and no method mutates it.
    """

    __slots__ = ("_value",)
    __match_args__ = ("value",)
    _value: T_co

    def __init__(self, value: T_co) -> None:
        self._value = value

    def __repr__(self) -> str:
        return f"Ok({self._value!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is Ok and self._value == cast("Ok[object]", other)._value

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((True, self._value))

    def __reduce__(self) -> tuple[type[Ok[Any]], tuple[Any]]:
        return (Ok, (self._value,))

    @property
    def value(self) -> T_co:
        """The wrapped success value."""
        return self._value

    def is_ok(self) -> bool:
        """``True``: this is the success variant."""
        return True

    def is_err(self) -> bool:
        """``False``: this is not the failure variant."""
        return False

    def unwrap(self) -> T_co:
        """The value."""
        return self._value

    def unwrap_err(self) -> NoReturn:
        """Raise ``UnwrapError``: an ``Ok`` has no error."""
        raise UnwrapError(self, f"called unwrap_err() on {self!r}")

    def expect(self, message: str) -> T_co:
        """The value (``message`` is for the ``Err`` variant)."""
        return self._value

    def expect_err(self, message: str) -> NoReturn:
        """Raise ``UnwrapError`` with ``message``: an ``Ok`` has no error."""
        raise UnwrapError(self, message)

    def unwrap_or(self, default: object) -> T_co:
        """The value (``default`` is for the ``Err`` variant)."""
        return self._value

    def unwrap_or_else(self, op: Callable[[Any], object]) -> T_co:
        """The value (``op`` is for the ``Err`` variant)."""
        return self._value

    def ok_or(self, default: object) -> T_co:
        """The value, or ``default`` for an ``Err`` (same as ``unwrap_or``)."""
        return self._value

    def to_optional(self) -> T_co:
        """The value (an ``Err`` gives ``None``)."""
        return self._value

    def map_sync(self, op: Callable[[T_co], U]) -> Ok[U]:
        """``Ok(op(value))``."""
        return Ok(op(self._value))

    def map_err(self, op: Callable[[Any], object]) -> Self:
        """This ``Ok`` unchanged (``op`` maps an ``Err``'s error)."""
        return self

    def and_then_sync(self, op: Callable[[T_co], Ok[U] | Err[F]]) -> Ok[U] | Err[F]:
        """``op(value)``: the next step, which answers its own ``Ok`` or ``Err``."""
        return op(self._value)

    def or_else_sync(self, op: Callable[[Any], object]) -> Self:
        """This ``Ok`` unchanged (``op`` recovers from an ``Err``)."""
        return self

    def filter(self, predicate: Callable[[T_co], bool], error: F) -> Ok[T_co] | Err[F]:
        """Keep this ``Ok`` when ``predicate(value)`` holds, else ``Err(error)``."""
        return self if predicate(self._value) else Err(error)

    def flatten(self: Ok[Ok[U] | Err[F]]) -> Ok[U] | Err[F]:
        """Turn ``Ok(Ok(x))`` into ``Ok(x)`` and ``Ok(Err(e))`` into ``Err(e)``."""
        inner: object = self._value
        if type(inner) is Ok or type(inner) is Err:
            return self._value
        raise TypeError(
            f"flatten() needs an Ok that wraps a result, got {self!r}; "
            "call it only on Result[Result[T, E], E]"
        )

    def inspect(self, op: Callable[[T_co], object]) -> Self:
        """Call ``op(value)`` for its side effect; answer this ``Ok`` unchanged."""
        op(self._value)
        return self

    def inspect_err(self, op: Callable[[Any], object]) -> Self:
        """This ``Ok`` unchanged (``op`` sees an ``Err``'s error)."""
        return self

    def match(self, ok: Callable[[T_co], U], err: Callable[[Never], U]) -> U:
        """Call ``ok`` with the value (``err`` is for the ``Err`` variant)."""
        return ok(self._value)

    async def map(self, op: Callable[[T_co], Awaitable[U]]) -> Ok[U]:
        """``Ok(await op(value))``."""
        return Ok(await op(self._value))

    async def async_map(self, op: Callable[[T_co], Awaitable[U]]) -> Ok[U]:
        """Alias of ``map``."""
        return Ok(await op(self._value))

    async def and_then(self, op: Callable[[T_co], Awaitable[Ok[U] | Err[F]]]) -> Ok[U] | Err[F]:
        """``await op(value)``: the next step, which answers its own ``Ok`` or ``Err``."""
        return await op(self._value)

    async def or_else(self, op: Callable[[Any], Awaitable[object]]) -> Self:
        """This ``Ok`` unchanged (``op`` recovers from an ``Err``)."""
        return self


@final
class Err(Generic[E_co]):
    """The failure variant: wraps ``error`` (read-only, slotted, like ``Ok``)."""

    __slots__ = ("_error",)
    __match_args__ = ("error",)
    _error: E_co

    def __init__(self, error: E_co) -> None:
        self._error = error

    def __repr__(self) -> str:
        return f"Err({self._error!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is Err and self._error == cast("Err[object]", other)._error

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((False, self._error))

    def __reduce__(self) -> tuple[type[Err[Any]], tuple[Any]]:
        return (Err, (self._error,))

    @overload
    @classmethod
    def from_exception(cls, exc: X) -> Err[X]: ...
    @overload
    @classmethod
    def from_exception(cls, exc: X, ok_type: type[T]) -> Ok[T] | Err[X]: ...
    @classmethod
    def from_exception(cls, exc: BaseException, ok_type: object = None) -> Ok[Any] | Err[Any]:
        """Wrap a caught exception in an ``Err``, typed as ``Result[ok_type, type(exc)]``.

        The same as the module function [from_exception][lexigram.result.from_exception].
        """
        return Err(check_exception(exc))

    @property
    def error(self) -> E_co:
        """The wrapped error value."""
        return self._error

    def is_ok(self) -> bool:
        """``False``: this is not the success variant."""
        return False

    def is_err(self) -> bool:
        """``True``: this is the failure variant."""
        return True

    def _fail(self, message: str) -> NoReturn:
        error = self._error
        if isinstance(error, BaseException):
            raise UnwrapError(self, message) from error
        raise UnwrapError(self, message)

    def unwrap(self) -> NoReturn:
        """Raise ``UnwrapError`` carrying the error: an ``Err`` has no value."""
        self._fail(f"called unwrap() on {self!r}")

    def unwrap_err(self) -> E_co:
        """The error."""
        return self._error

    def expect(self, message: str) -> NoReturn:
        """Raise ``UnwrapError`` with ``message``: an ``Err`` has no value."""
        self._fail(message)

    def expect_err(self, message: str) -> E_co:
        """The error (``message`` is for the ``Ok`` variant)."""
        return self._error

    def unwrap_or(self, default: U) -> U:
        """``default``: an ``Err`` has no value."""
        return default

    def unwrap_or_else(self, op: Callable[[E_co], U]) -> U:
        """``op(error)``: a value computed from the error."""
        return op(self._error)

    def ok_or(self, default: U) -> U:
        """``default``: an ``Err`` has no value (same as ``unwrap_or``)."""
        return default

    def to_optional(self) -> None:
        """``None``: an ``Err`` has no value."""

    def map_sync(self, op: Callable[[Any], object]) -> Self:
        """This ``Err`` unchanged (``op`` maps an ``Ok``'s value)."""
        return self

    def map_err(self, op: Callable[[E_co], F]) -> Err[F]:
        """``Err(op(error))``."""
        return Err(op(self._error))

    def and_then_sync(self, op: Callable[[Any], object]) -> Self:
        """This ``Err`` unchanged (``op`` is the next step after an ``Ok``)."""
        return self

    def or_else_sync(self, op: Callable[[E_co], Ok[U] | Err[F]]) -> Ok[U] | Err[F]:
        """``op(error)``: a recovery, which answers its own ``Ok`` or ``Err``."""
        return op(self._error)

    def filter(self, predicate: Callable[[Any], bool], error: object) -> Self:
        """This ``Err`` unchanged (``predicate`` tests an ``Ok``'s value)."""
        return self

    def flatten(self) -> Self:
        """This ``Err`` unchanged (only an ``Ok`` holds a nested result)."""
        return self

    def inspect(self, op: Callable[[Any], object]) -> Self:
        """This ``Err`` unchanged (``op`` sees an ``Ok``'s value)."""
        return self

    def inspect_err(self, op: Callable[[E_co], object]) -> Self:
        """Call ``op(error)`` for its side effect; answer this ``Err`` unchanged."""
        op(self._error)
        return self

    def match(self, ok: Callable[[Never], U], err: Callable[[E_co], U]) -> U:
        """Call ``err`` with the error (``ok`` is for the ``Ok`` variant)."""
        return err(self._error)

    async def map(self, op: Callable[[Any], Awaitable[object]]) -> Self:
        """This ``Err`` unchanged (``op`` maps an ``Ok``'s value)."""
        return self

    async def async_map(self, op: Callable[[Any], Awaitable[object]]) -> Self:
        """Alias of ``map``."""
        return self

    async def and_then(self, op: Callable[[Any], Awaitable[object]]) -> Self:
        """This ``Err`` unchanged (``op`` is the next step after an ``Ok``)."""
        return self

    async def or_else(self, op: Callable[[E_co], Awaitable[Ok[U] | Err[F]]]) -> Ok[U] | Err[F]:
        """``await op(error)``: a recovery, which answers its own ``Ok`` or ``Err``."""
        return await op(self._error)


Result: TypeAlias = Ok[T] | Err[E]
"""``Ok[T] | Err[E]``: a union, so ``match`` over the two variants is exhaustive."""

OkErr = (Ok, Err)
"""The two variant classes, for ``isinstance(x, OkErr)``."""
