"""The per-process backend: bounded memory, expired keys evicted, safe for coroutines."""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import islice

from ._algorithm import CanonicalAlgorithm
from ._decision import RateLimitDecision, combine
from ._memory_windows import WINDOWS, MemoryWindow
from ._rate import Rate

__all__ = ["MemoryBackend", "MemoryLimit"]


class MemoryLimit:
    """One rate bound to a ``MemoryBackend``: ``hit``/``peek``/``reset`` by key.

    ``hit_sync``/``peek_sync`` are the same checks without a coroutine (the backend never
    awaits, so each check is atomic with respect to other coroutines).
    """

    __slots__ = ("_clock", "_windows", "hit_sync", "rate")

    def __init__(self, rate: Rate, windows: list[MemoryWindow], clock: Callable[[], float]):
        self.rate = rate
        self._windows = windows
        self._clock = clock
        self.hit_sync: Callable[..., RateLimitDecision] = (
            windows[0].hit if len(windows) == 1 else self._hit_all
        )

    def _hit_all(self, key: str, cost: int = 1) -> RateLimitDecision:
        now = self._clock()
        checks = [window.check(key, cost, now) for window in self._windows]
        if all(check.allowed for check in checks):
            return combine([window.hit(key, cost, now) for window in self._windows])
        current = [
            check if not check.allowed else window.check(key, 0, now)
            for check, window in zip(checks, self._windows, strict=True)
        ]
        return combine(current)

    def peek_sync(self, key: str) -> RateLimitDecision:
        """The state of ``key``, without consuming anything.

        ``allowed`` tells whether a hit of cost 1 would pass now, ``remaining`` how many
        units are left."""
        now = self._clock()
        states: list[RateLimitDecision] = []
        for window in self._windows:
            state = window.check(key, 0, now)
            probe = window.check(key, 1, now)
            states.append(
                RateLimitDecision(
                    probe.allowed,
                    state.limit,
                    state.remaining,
                    state.reset_after,
                    probe.retry_after,
                )
            )
        return states[0] if len(states) == 1 else combine(states)

    def reset_sync(self, key: str) -> None:
        """Forget ``key``: its next hit starts a fresh window."""
        for window in self._windows:
            window.reset(key)

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision:
        """Consume ``cost`` units for ``key`` if every window allows it."""
        return self.hit_sync(key, cost)

    async def peek(self, key: str) -> RateLimitDecision:
        """See ``peek_sync``."""
        return self.peek_sync(key)

    async def reset(self, key: str) -> None:
        """See ``reset_sync``."""
        self.reset_sync(key)


class MemoryBackend:
    """Per-process storage of rate-limit state.

    Memory is bounded: a key whose window has passed is evicted by a sweep run every
    ``sweep_interval`` seconds (on the insertion of a new key), and when ``max_keys`` states
    (one per key and window) are held, a new key first sweeps the expired ones, then evicts
    the oldest inserted ones until 90 % of the cap is left. A check never awaits, so
    concurrent coroutines cannot interleave inside one; use one backend per thread if you
    check from threads.
    """

    def __init__(
        self,
        *,
        max_keys: int = 100_000,
        sweep_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be >= 1, got {max_keys}")
        self.max_keys = max_keys
        self.sweep_interval = sweep_interval
        self.clock = clock
        self._size = 0
        self._next_sweep = clock() + sweep_interval
        self._windows: dict[tuple[CanonicalAlgorithm, int, int, int], MemoryWindow] = {}

    def __len__(self) -> int:
        """How many (key, window) states are held."""
        return sum(len(window.data) for window in self._windows.values())

    def bind(
        self, rate: Rate, algorithm: CanonicalAlgorithm, burst: int | None = None
    ) -> MemoryLimit:
        """A ``MemoryLimit`` for ``rate``.

        Limits with the same algorithm and windows share their counters (as Redis keys
        do)."""
        windows: list[MemoryWindow] = []
        for item in rate.items:
            signature = (algorithm, item.amount, item.seconds, burst or 0)
            window = self._windows.get(signature)
            if window is None:
                window = WINDOWS[algorithm](
                    item.amount, item.seconds, self.clock, self._admit, burst
                )
                self._windows[signature] = window
            windows.append(window)
        return MemoryLimit(rate, windows, self.clock)

    def _admit(self, now: float) -> None:
        """Account for one new key; sweep when due or when the cap is reached."""
        if self._size >= self.max_keys or now >= self._next_sweep:
            self.sweep(now)
        self._size += 1

    def sweep(self, now: float | None = None) -> int:
        """Evict expired states (and the oldest ones while at the cap); return how many."""
        if now is None:
            now = self.clock()
        self._next_sweep = now + self.sweep_interval
        evicted = 0
        for window in self._windows.values():
            data = window.data
            expired = [key for key, state in data.items() if state[0] <= now]
            for key in expired:
                del data[key]
            evicted += len(expired)
        size = len(self)
        if size >= self.max_keys:
            target = int(self.max_keys * 0.9)
            for window in sorted(self._windows.values(), key=lambda w: -len(w.data)):
                if size <= target:
                    break
                data = window.data
                oldest = list(islice(data, min(len(data), size - target)))
                for key in oldest:
                    del data[key]
                size -= len(oldest)
                evicted += len(oldest)
        self._size = size
        return evicted

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """A per-process backend never fails: no failure policy applies."""
        return ()

    async def ping(self) -> None:
        """Always reachable."""

    async def aclose(self) -> None:
        """Nothing to release: the state is garbage collected with the backend."""

    def clear(self) -> None:
        """Forget every key."""
        for window in self._windows.values():
            window.data.clear()
        self._size = 0
