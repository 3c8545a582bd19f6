"""A scope: one instance of each scoped service, finalized when the scope closes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

from ._errors import ResolutionError, raised_deeper
from ._finalize import close_async, close_sync, report
from ._registration import NamedKey

if TYPE_CHECKING:
    from typing_extensions import TypeForm

    from ._container import Container

T = TypeVar("T")
R = TypeVar("R")

_EMPTY: Mapping[Any, Any] = {}


class Scope:
    """Created by ``Container.scope``; usable with ``with``, ``async with`` or bare.

    A bare scope must be closed with ``close`` / ``aclose``. A nested scope
    (``scope``) has its own scoped instances and finalizers, and sees the context
    values of the scope it was opened from.
    """

    __slots__ = ("_cache", "_closed", "_container", "_context", "_finalizers", "_locks")

    def __init__(self, container: Container, context: Mapping[Any, Any] | None = None) -> None:
        self._container = container
        self._context: Mapping[Any, Any] = context if context else _EMPTY
        self._cache: dict[Any, Any] = {}
        self._finalizers: list[tuple[str, Any]] | None = None
        """Made by the first generator factory entered in this scope."""
        self._locks: dict[Any, asyncio.Lock] | None = None
        self._closed = False

    @property
    def container(self) -> Container:
        return self._container

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def has_finalizers(self) -> bool:
        """Whether closing this scope runs finalizers (a generator factory was entered in it);
        without any, ``close()`` does all that ``aclose()`` would, with no coroutine."""
        return bool(self._finalizers)

    def _lock_for(self, key: Any) -> asyncio.Lock:
        locks = self._locks
        if locks is None:
            locks = self._locks = {}
        lock = locks.get(key)
        if lock is None:
            lock = locks[key] = asyncio.Lock()
        return lock

    def _check_open(self) -> None:
        if self._closed:
            raise ResolutionError(
                "this scope is closed; open a new one with container.scope() to resolve again"
            )

    @overload
    def resolve(self, service: str, name: str | None = None) -> Any: ...
    @overload
    def resolve(self, service: TypeForm[T], name: str | None = None) -> T: ...
    @overload
    def resolve(self, service: Any, name: str | None = None) -> Any: ...
    def resolve(self, service: Any, name: str | None = None) -> Any:
        """Resolve ``service`` in this scope (sync graphs only)."""
        if self._closed:
            self._check_open()
        try:
            if name is None:
                return self._container._sync[service](self)  # pyright: ignore[reportPrivateUsage]
            return self._container._sync[NamedKey(service, name)](self)  # pyright: ignore[reportPrivateUsage]
        except KeyError as exc:
            if raised_deeper(exc):  # by a constructor or factory, not by the lookup
                raise
        return self._container._getter(service, name)(self)  # pyright: ignore[reportPrivateUsage]

    @overload
    async def aresolve(self, service: str, name: str | None = None) -> Any: ...
    @overload
    async def aresolve(self, service: TypeForm[T], name: str | None = None) -> T: ...
    @overload
    async def aresolve(self, service: Any, name: str | None = None) -> Any: ...
    async def aresolve(self, service: Any, name: str | None = None) -> Any:
        """Resolve ``service`` in this scope, awaiting async factories.

        On a graph with nothing async it calls the sync resolver: the only coroutine is this
        call's own (``resolve`` needs none, and works in an ``async with`` scope too).
        """
        if self._closed:
            self._check_open()
        container = self._container
        getter = container._plain.get(service if name is None else NamedKey(service, name))  # pyright: ignore[reportPrivateUsage]
        if getter is None:
            agetter = container._agetter(service, name)  # pyright: ignore[reportPrivateUsage]
            if agetter is not None:
                return await agetter(self)
            getter = container._getter(service, name)  # pyright: ignore[reportPrivateUsage]
        return getter(self)

    def call(self, fn: Callable[..., R], /, **overrides: Any) -> R:
        """Call ``fn`` with its parameters resolved in this scope (``overrides`` win)."""
        self._check_open()
        return self._container._call(fn, self, overrides)  # pyright: ignore[reportPrivateUsage]

    @overload
    async def acall(self, fn: Callable[..., Awaitable[R]], /, **overrides: Any) -> R: ...
    @overload
    async def acall(self, fn: Callable[..., R], /, **overrides: Any) -> R: ...
    async def acall(self, fn: Callable[..., Any], /, **overrides: Any) -> Any:
        """Like ``call``, resolving async dependencies and awaiting the result."""
        self._check_open()
        return await self._container._acall(fn, self, overrides)  # pyright: ignore[reportPrivateUsage]

    def scope(self, context: Mapping[Any, Any] | None = None) -> Scope:
        """Open a nested scope that inherits this scope's context values."""
        self._check_open()
        merged = {**self._context, **context} if context else self._context
        return Scope(self._container, merged)

    def close(self) -> None:
        """Run the finalizers of the scoped (and transient) instances made in this scope."""
        self._closed = True
        self._cache.clear()
        finalizers = self._finalizers
        if finalizers:
            report(close_sync(finalizers), "scope", None)

    async def aclose(self) -> None:
        """Run sync and async finalizers, newest first."""
        self._closed = True
        self._cache.clear()
        finalizers = self._finalizers
        if finalizers:
            report(await close_async(finalizers), "scope", None)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._closed = True
        self._cache.clear()
        finalizers = self._finalizers
        if finalizers:
            report(close_sync(finalizers), "scope", exc)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._closed = True
        self._cache.clear()
        finalizers = self._finalizers
        if finalizers:
            report(await close_async(finalizers), "scope", exc)
