"""``UnitOfWorkBehaviour``: commit when the handler succeeds, roll back otherwise."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from ._logging import is_err_result
from ._pipeline import Next


@runtime_checkable
class UnitOfWork(Protocol):
    """A transaction boundary: the behaviour calls exactly one of the two per message."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork | Awaitable[UnitOfWork]]


class UnitOfWorkBehaviour:
    """Open a unit of work per message: ``commit()`` on success, ``rollback()`` on failure.

    A raised exception rolls back (and propagates); so does a returned error
    ``Result`` unless ``rollback_on_err=False``. ``factory`` makes one unit of work
    per message (it may be async).
    """

    __slots__ = ("_factory", "_rollback_on_err")

    def __init__(self, factory: UnitOfWorkFactory, *, rollback_on_err: bool = True) -> None:
        self._factory = factory
        self._rollback_on_err = rollback_on_err

    async def __call__(self, message: Any, next: Next, /) -> Any:
        made = self._factory()
        unit: UnitOfWork = await made if inspect.isawaitable(made) else made
        try:
            result = await next(message)
        except BaseException:
            await unit.rollback()
            raise
        if self._rollback_on_err and is_err_result(result):
            await unit.rollback()
        else:
            await unit.commit()
        return result
