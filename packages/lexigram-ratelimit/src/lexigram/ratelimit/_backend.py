"""What a storage backend provides to the limiter."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ._algorithm import CanonicalAlgorithm
from ._decision import RateLimitDecision
from ._rate import Rate

__all__ = ["BoundLimit", "RateLimitBackend"]


class BoundLimit(Protocol):
    """One rate and algorithm bound to a backend, checked by key."""

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision: ...

    async def peek(self, key: str) -> RateLimitDecision: ...

    async def reset(self, key: str) -> None: ...


@runtime_checkable
class RateLimitBackend(Protocol):
    """A storage for rate-limit state.

    ``errors`` lists the exceptions that mean "the backend is unavailable": the limiter
    answers them with its ``on_backend_error`` policy. A backend that cannot fail
    (``MemoryBackend``) has none.
    """

    @property
    def errors(self) -> tuple[type[BaseException], ...]: ...

    def bind(
        self, rate: Rate, algorithm: CanonicalAlgorithm, burst: int | None = None
    ) -> BoundLimit: ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...
