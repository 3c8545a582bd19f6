"""The errors raised by the container, modules and the application lifecycle.

They extend punq's errors where the meaning matches, so code written against punq keeps
catching them.
"""

from __future__ import annotations

import punq


class DIError(Exception):
    """Base class of every lexigram-di error."""


class RegistrationError(DIError, punq.InvalidRegistrationError):
    """A registration can never work (bad factory, instance for a non-singleton, ...)."""


class ResolutionError(DIError):
    """A service cannot be resolved the way it was asked for."""


class MissingDependencyError(ResolutionError, punq.MissingDependencyError):
    """A service, or one of its dependencies, is not registered."""


class CircularDependencyError(ResolutionError):
    """Services depend on each other in a loop; ``path`` lists the loop, first node repeated."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


class LifetimeError(ResolutionError):
    """A longer-lived service depends on a shorter-lived one (a singleton on a scoped service)."""


class FinalizerError(DIError):
    """One or more finalizers raised; every finalizer ran, the failures are in ``errors``."""

    def __init__(self, message: str, errors: list[BaseException]) -> None:
        super().__init__(message)
        self.errors = errors


class BootError(DIError):
    """A provider failed to register or boot; what had booted was shut down again."""

    def __init__(self, message: str, provider: str = "") -> None:
        super().__init__(message)
        self.provider = provider


class ShutdownError(DIError):
    """One or more providers failed to shut down; every provider was still asked to."""

    def __init__(self, message: str, errors: list[BaseException]) -> None:
        super().__init__(message)
        self.errors = errors


def raised_deeper(exc: BaseException) -> bool:
    """Whether ``exc``, caught in a frame, was raised by a function that frame called.

    ``resolve`` looks its compiled resolver up and calls it in one ``try``: a ``KeyError``
    from the lookup means "not compiled yet", one from a constructor must propagate.
    """
    tb = exc.__traceback__
    return tb is not None and tb.tb_next is not None
