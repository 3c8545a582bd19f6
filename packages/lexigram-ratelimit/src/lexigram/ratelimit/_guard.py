"""The failure policy around a backend that can fail (Redis).

When a check raises one of the backend's ``errors`` the guard trips: the check, and every
check until the backend answers again, is decided by the policy:

- ``"open"``: allowed (availability first);
- ``"closed"``: denied, ``Retry-After`` set to the next probe (protection first);
- ``"memory"``: decided by a per-process ``MemoryBackend`` (each process limits on its own).

While tripped the backend is not called at all, except by one probing check at a time,
after a backoff that doubles from ``backoff[0]`` up to ``backoff[1]`` seconds. The first
probe that succeeds switches back. Each transition is logged once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

from ._backend import BoundLimit
from ._decision import RateLimitDecision
from ._memory import MemoryBackend, MemoryLimit
from ._rate import Rate

__all__ = ["BackendGuard", "GuardedLimit", "OnBackendError", "RateLimitHealth"]

OnBackendError = Literal["open", "closed", "memory"]
T = TypeVar("T")

logger = logging.getLogger("lexigram.ratelimit")

_NO, _YES, _PROBE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class RateLimitHealth:
    """The limiter's view of its backend, for health checks."""

    backend: str
    healthy: bool
    on_backend_error: OnBackendError
    since: float | None = None
    """Clock time (``time.monotonic``) at which the backend became unavailable."""
    last_error: str | None = None

    @property
    def status(self) -> Literal["ok", "degraded", "down"]:
        """``ok``; ``degraded`` while failing open or on memory; ``down`` while failing closed."""
        if self.healthy:
            return "ok"
        return "down" if self.on_backend_error == "closed" else "degraded"


class BackendGuard:
    """Tracks one backend's availability and applies the failure policy."""

    def __init__(
        self,
        name: str,
        errors: tuple[type[BaseException], ...],
        on_backend_error: OnBackendError = "open",
        *,
        fallback: MemoryBackend | None = None,
        backoff: tuple[float, float] = (0.5, 30.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if on_backend_error not in get_args(OnBackendError):
            raise ValueError(
                f"on_backend_error={on_backend_error!r}: use 'open', 'closed' or 'memory'"
            )
        if not 0 < backoff[0] <= backoff[1]:
            raise ValueError(
                f"backoff={backoff!r}: use (initial, maximum) with 0 < initial <= maximum"
            )
        self.name = name
        self.errors = errors
        self.on_backend_error: OnBackendError = on_backend_error
        self.fallback = fallback if fallback is not None else MemoryBackend()
        self.backoff = backoff
        self.clock = clock
        self.failing = False
        self._since: float | None = None
        self._last_error: str | None = None
        self._delay = backoff[0]
        self._next_probe = 0.0
        self._probing = False

    def enter(self) -> int:
        """Whether a check may call the backend: no, yes, or yes as the probe."""
        if not self.failing:
            return _YES
        if self._probing or self.clock() < self._next_probe:
            return _NO
        self._probing = True
        return _PROBE

    def succeeded(self) -> None:
        """The probe got an answer: switch back to the backend."""
        self._probing = False
        if self.failing:
            self.failing = False
            self._delay = self.backoff[0]
            self._since = None
            self.fallback.clear()
            logger.info("rate-limit backend %s answers again; using it again", self.name)

    def failed(self, exc: BaseException, probe: bool) -> None:
        now = self.clock()
        self._last_error = f"{type(exc).__name__}: {exc}"
        if not self.failing:
            self.failing = True
            self._since = now
            self._delay = self.backoff[0]
            self._next_probe = now + self._delay
            logger.warning(
                "rate-limit backend %s unavailable (%s); failing %s until it answers",
                self.name,
                self._last_error,
                "over to per-process memory" if self.on_backend_error == "memory"
                else self.on_backend_error,
            )  # fmt: skip
        elif probe:
            self._delay = min(self._delay * 2, self.backoff[1])
            self._next_probe = now + self._delay
        if probe:
            self._probing = False

    def abandoned(self, probe: bool) -> None:
        """A check was cancelled while calling the backend."""
        if probe:
            self._probing = False

    def retry_after(self) -> float:
        return max(1.0, self._next_probe - self.clock())

    def health(self) -> RateLimitHealth:
        return RateLimitHealth(
            self.name, not self.failing, self.on_backend_error, self._since, self._last_error
        )

    def wrap(self, primary: BoundLimit, rate: Rate, fallback: MemoryLimit | None) -> GuardedLimit:
        return GuardedLimit(self, primary, rate, fallback)


class GuardedLimit:
    """A bound limit whose backend failures are answered by the guard's policy."""

    __slots__ = ("_fallback", "_guard", "_limit", "_primary")

    def __init__(
        self, guard: BackendGuard, primary: BoundLimit, rate: Rate, fallback: MemoryLimit | None
    ) -> None:
        self._guard = guard
        self._primary = primary
        self._fallback = fallback
        self._limit = rate.items[0].amount

    def _degraded(self, key: str, cost: int) -> RateLimitDecision:
        guard = self._guard
        if guard.on_backend_error == "open":
            return RateLimitDecision(True, self._limit, self._limit, 0.0, 0.0)
        if guard.on_backend_error == "closed" or self._fallback is None:
            retry = guard.retry_after()
            return RateLimitDecision(False, self._limit, 0, retry, retry)
        if cost == 0:
            return self._fallback.peek_sync(key)
        return self._fallback.hit_sync(key, cost)

    async def _attempt(self, call: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        """Call the backend if the guard lets it (as the probe when one is due)."""
        guard = self._guard
        mode = guard.enter()
        if not mode:
            return False, None
        probe = mode == _PROBE
        try:
            value = await call()
        except guard.errors as exc:
            guard.failed(exc, probe)
            return False, None
        except BaseException:
            guard.abandoned(probe)
            raise
        if probe:
            guard.succeeded()
        return True, value

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision:
        guard = self._guard
        if not guard.failing:  # the hot path
            try:
                return await self._primary.hit(key, cost)
            except guard.errors as exc:
                guard.failed(exc, False)
                return self._degraded(key, cost)
        done, decision = await self._attempt(lambda: self._primary.hit(key, cost))
        if done and decision is not None:
            return decision
        return self._degraded(key, cost)

    async def peek(self, key: str) -> RateLimitDecision:
        done, decision = await self._attempt(lambda: self._primary.peek(key))
        if done and decision is not None:
            return decision
        return self._degraded(key, 0)

    async def reset(self, key: str) -> None:
        if self._fallback is not None:
            self._fallback.reset_sync(key)
        await self._attempt(lambda: self._primary.reset(key))
