"""Per-process algorithms: one class per algorithm, one instance per (algorithm, window).

Each instance owns a dict ``key -> state`` whose first element is the time (clock seconds)
at which the state is back to "fresh" and may be evicted. ``hit`` mutates and is the hot
path; ``check`` answers the same question without mutating (multi-window rates check every
window first and commit only when all of them allow).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from ._decision import RateLimitDecision

__all__ = ["FixedWindow", "Gcra", "MemoryWindow", "SlidingLog", "SlidingWindow"]

Admit = Callable[[float], None]
State = list[Any]


class MemoryWindow:
    """Common fields of a per-process window."""

    __slots__ = ("admit", "clock", "data", "limit", "seconds")

    def __init__(self, limit: int, seconds: int, clock: Callable[[], float], admit: Admit) -> None:
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self.admit = admit
        self.data: dict[str, State] = {}

    def hit(self, key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        raise NotImplementedError

    def check(self, key: str, cost: int, now: float) -> RateLimitDecision:
        raise NotImplementedError

    def reset(self, key: str) -> None:
        self.data.pop(key, None)


class FixedWindow(MemoryWindow):
    """A counter per window; the window starts at the first hit after the previous one ended."""

    __slots__ = ()

    def hit(self, key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = self.clock()
        state = self.data.get(key)
        if state is None:
            self.admit(now)
            state = self.data[key] = [now + self.seconds, 0]
        elif state[0] <= now:
            state[0] = now + self.seconds
            state[1] = 0
        used = state[1] + cost
        limit = self.limit
        reset = state[0] - now
        if used <= limit:
            state[1] = used
            return RateLimitDecision(True, limit, limit - used, reset, 0.0)
        return RateLimitDecision(False, limit, limit - state[1], reset, reset)

    def check(self, key: str, cost: int, now: float) -> RateLimitDecision:
        state = self.data.get(key)
        if state is None or state[0] <= now:
            used, reset = 0, float(self.seconds)
        else:
            used, reset = state[1], state[0] - now
        limit = self.limit
        if used + cost <= limit:
            return RateLimitDecision(True, limit, limit - used - cost, reset, 0.0)
        return RateLimitDecision(False, limit, limit - used, reset, reset)


class SlidingWindow(MemoryWindow):
    """Sliding window counter: windows aligned on multiples of the period, the previous
    window's count weighted by how much of it the sliding window still covers."""

    __slots__ = ()

    def _counts(self, state: State | None, now: float) -> tuple[float, int, int]:
        seconds = self.seconds
        start = now - now % seconds
        if state is None:
            return start, 0, 0
        if state[1] == start:
            return start, state[2], state[3]
        if state[1] == start - seconds:
            return start, state[3], 0
        return start, 0, 0

    def _decide(
        self, start: float, previous: int, current: int, cost: int, now: float
    ) -> tuple[RateLimitDecision, float]:
        seconds = self.seconds
        limit = self.limit
        elapsed = now - start
        weighted = previous * (seconds - elapsed) / seconds + current
        if weighted + cost <= limit:
            reset = (
                2 * seconds - elapsed
                if current + cost > 0
                else (seconds - elapsed if previous else 0.0)
            )
            remaining = int(limit - weighted - cost)
            return RateLimitDecision(True, limit, remaining, reset, 0.0), weighted
        reset = 2 * seconds - elapsed if current else seconds - elapsed
        remaining = max(0, int(limit - weighted))
        if cost > limit:
            retry = reset
        elif current + cost > limit:
            retry = seconds - elapsed + seconds * (1.0 - (limit - cost) / current)
        else:
            retry = seconds * (1.0 - (limit - current - cost) / previous) - elapsed
        return RateLimitDecision(False, limit, remaining, reset, retry), weighted

    def hit(self, key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = self.clock()
        state = self.data.get(key)
        start, previous, current = self._counts(state, now)
        decision, _ = self._decide(start, previous, current, cost, now)
        if decision.allowed:
            if state is None:
                self.admit(now)
                self.data[key] = [start + 2 * self.seconds, start, previous, current + cost]
            else:
                state[0] = start + 2 * self.seconds
                state[1] = start
                state[2] = previous
                state[3] = current + cost
        return decision

    def check(self, key: str, cost: int, now: float) -> RateLimitDecision:
        start, previous, current = self._counts(self.data.get(key), now)
        return self._decide(start, previous, current, cost, now)[0]


class SlidingLog(MemoryWindow):
    """Exact sliding log: the time of every unit hit during the last window."""

    __slots__ = ()

    def _log(self, key: str, now: float) -> deque[float] | None:
        state = self.data.get(key)
        if state is None:
            return None
        log: deque[float] = state[1]
        cutoff = now - self.seconds
        while log and log[0] <= cutoff:
            log.popleft()
        return log

    def _denied(self, log: deque[float], cost: int, now: float) -> RateLimitDecision:
        limit = self.limit
        seconds = self.seconds
        used = len(log)
        reset = log[-1] + seconds - now if log else 0.0
        retry = log[used + cost - limit - 1] + seconds - now if cost <= limit else reset
        return RateLimitDecision(False, limit, limit - used, reset, retry)

    def hit(self, key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = self.clock()
        log = self._log(key, now)
        if log is None:
            log = deque[float]()
            if cost > self.limit:
                return self._denied(log, cost, now)
            self.admit(now)
            self.data[key] = [now + self.seconds, log]
        used = len(log) + cost
        limit = self.limit
        if used > limit:
            return self._denied(log, cost, now)
        if cost == 1:
            log.append(now)
        else:
            log.extend([now] * cost)
        self.data[key][0] = now + self.seconds
        return RateLimitDecision(True, limit, limit - used, float(self.seconds), 0.0)

    def check(self, key: str, cost: int, now: float) -> RateLimitDecision:
        log = self._log(key, now)
        if log is None:
            log = deque[float]()
        used = len(log) + cost
        if used > self.limit:
            return self._denied(log, cost, now)
        reset = float(self.seconds) if cost else (log[-1] + self.seconds - now if log else 0.0)
        return RateLimitDecision(True, self.limit, self.limit - used, reset, 0.0)


class Gcra(MemoryWindow):
    """GCRA (a token bucket of capacity ``burst`` refilled at ``limit`` per window).

    Computed in integer microseconds so equal emission intervals add up exactly.
    """

    __slots__ = ("burst", "interval", "tolerance")

    def __init__(
        self,
        limit: int,
        seconds: int,
        clock: Callable[[], float],
        admit: Admit,
        burst: int | None = None,
    ) -> None:
        super().__init__(limit, seconds, clock, admit)
        self.burst = burst if burst is not None else limit
        self.interval = max(1, round(seconds * 1_000_000 / limit))
        self.tolerance = self.burst * self.interval

    def hit(self, key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = self.clock()
        now_us = round(now * 1_000_000)
        state = self.data.get(key)
        tat: int = state[1] if state is not None else 0
        diff = tat - now_us if tat > now_us else 0
        new = diff + cost * self.interval
        tolerance = self.tolerance
        if new <= tolerance:
            if state is None:
                self.admit(now)
                self.data[key] = [now + new / 1_000_000, now_us + new]
            else:
                state[0] = now + new / 1_000_000
                state[1] = now_us + new
            return RateLimitDecision(
                True, self.burst, (tolerance - new) // self.interval, new / 1_000_000, 0.0
            )
        return RateLimitDecision(
            False,
            self.burst,
            (tolerance - diff) // self.interval,
            diff / 1_000_000,
            (new - tolerance) / 1_000_000,
        )

    def check(self, key: str, cost: int, now: float) -> RateLimitDecision:
        now_us = round(now * 1_000_000)
        state = self.data.get(key)
        tat: int = state[1] if state is not None else 0
        diff = tat - now_us if tat > now_us else 0
        new = diff + cost * self.interval
        tolerance = self.tolerance
        if new <= tolerance:
            return RateLimitDecision(
                True, self.burst, (tolerance - new) // self.interval, new / 1_000_000, 0.0
            )
        return RateLimitDecision(
            False,
            self.burst,
            (tolerance - diff) // self.interval,
            diff / 1_000_000,
            (new - tolerance) / 1_000_000,
        )
