"""A rate bound to a limiter: what web and the middleware check per request."""

from __future__ import annotations

from ._algorithm import CanonicalAlgorithm
from ._backend import BoundLimit
from ._decision import RateLimitDecision
from ._headers import RateLimitHeaders
from ._memory import MemoryLimit
from ._rate import Rate

__all__ = ["RatePolicy"]


class RatePolicy:
    """One rate (one or more windows) with its algorithm, storage and header dialect.

    Build it once (``limiter.policy("100/minute")``) and call ``hit`` per request.
    """

    __slots__ = ("_headers", "_sync", "algorithm", "bound", "name", "rate")

    def __init__(
        self,
        rate: Rate,
        algorithm: CanonicalAlgorithm,
        bound: BoundLimit,
        headers: RateLimitHeaders,
        name: str = "default",
    ) -> None:
        self.rate = rate
        self.algorithm: CanonicalAlgorithm = algorithm
        self.bound = bound
        self.name = name
        self._headers = headers
        # A per-process limit never awaits: call its sync check, skipping one coroutine.
        self._sync = bound.hit_sync if isinstance(bound, MemoryLimit) else None

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision:
        """Consume ``cost`` units for ``key`` when every window allows it.

        A denied hit consumes nothing."""
        sync = self._sync
        if sync is not None:
            return sync(key, cost)
        return await self.bound.hit(key, cost)

    async def peek(self, key: str) -> RateLimitDecision:
        """The state of ``key``, consuming nothing (``allowed``: would a hit of cost 1 pass)."""
        return await self.bound.peek(key)

    async def reset(self, key: str) -> None:
        """Forget ``key`` in every window."""
        await self.bound.reset(key)

    def headers(self, decision: RateLimitDecision) -> list[tuple[str, str]]:
        """Response headers for ``decision``, in the limiter's dialect.

        A denied decision gets ``Retry-After`` too; an allowed one gets none when headers on
        allowed responses are off."""
        return self._headers(decision)

    def __repr__(self) -> str:
        return f"RatePolicy({str(self.rate)!r}, algorithm={self.algorithm!r})"
