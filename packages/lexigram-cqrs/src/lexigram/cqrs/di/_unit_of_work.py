"""``ScopedUnitOfWorkBehaviour``: the unit of work of the message's own scope."""

from __future__ import annotations

from .._unit_of_work import UnitOfWork, UnitOfWorkBehaviour


class ScopedUnitOfWorkBehaviour(UnitOfWorkBehaviour):
    """Commits (or rolls back) the ``UnitOfWork`` resolved in the message's scope.

    Register your implementation as scoped, e.g.
    ``container.scoped(UnitOfWork, SqlUnitOfWork)``, and list this class (not an
    instance) in ``behaviours``: it is built in each message's scope, so the handler's
    repositories and this behaviour share one unit of work.
    """

    __slots__ = ()

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        super().__init__(lambda: unit_of_work)
