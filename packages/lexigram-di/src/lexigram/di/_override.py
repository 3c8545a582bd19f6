"""``container.override(T, replacement)``: a sync and async context manager for tests."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from ._registration import Registration

if TYPE_CHECKING:
    from ._container import Container


class Override:
    """Puts a replacement registration in front while active; restores on exit.

    Usable once, with ``with`` or ``async with``. Resolvers obtained earlier (for example by
    a web application at startup) see the replacement too.
    """

    __slots__ = ("_active", "_container", "_registration")

    def __init__(self, container: Container, registration: Registration) -> None:
        self._container = container
        self._registration = registration
        self._active = False

    def __enter__(self) -> Self:
        if self._active:
            raise RuntimeError("this override is already active; create a new one to nest")
        self._active = True
        self._container._push_override(self._registration)  # pyright: ignore[reportPrivateUsage]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._active = False
        self._container._pop_override(self._registration)  # pyright: ignore[reportPrivateUsage]

    async def __aenter__(self) -> Self:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.__exit__(exc_type, exc, tb)
