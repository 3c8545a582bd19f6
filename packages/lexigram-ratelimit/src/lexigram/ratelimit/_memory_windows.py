"""Per-process algorithms: one ``MemoryWindow`` per (algorithm, window).

Each window owns a dict ``key -> state`` whose first element is the clock time at which the
state is back to "fresh" and may be evicted. ``hit`` mutates and is the hot path (a closure
over its constants: no attribute lookups); ``check`` answers the same question without
mutating (multi-window rates check every window first and commit only when all allow).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ._decision import RateLimitDecision, new_decision

__all__ = ["WINDOWS", "MemoryWindow"]

Admit = Callable[[float], None]
State = list[Any]
_D = RateLimitDecision


class Hit(Protocol):
    def __call__(self, key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision: ...


Check = Callable[[str, int, float], RateLimitDecision]


class MemoryWindow:
    """One window's state and its two checks."""

    __slots__ = ("check", "data", "hit", "limit", "seconds")

    def __init__(self, limit: int, seconds: int, data: dict[str, State], hit: Hit, check: Check):
        self.limit = limit
        self.seconds = seconds
        self.data = data
        self.hit = hit
        self.check = check

    def reset(self, key: str) -> None:
        self.data.pop(key, None)


Factory = Callable[[int, int, Callable[[], float], Admit, "int | None"], MemoryWindow]


def fixed_window(
    limit: int, seconds: int, clock: Callable[[], float], admit: Admit, burst: int | None
) -> MemoryWindow:
    """A counter per window; the window starts at the first hit after the previous one ended."""
    data: dict[str, State] = {}
    get = data.get

    def hit(key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = clock()
        state = get(key)
        if state is None:
            admit(now)
            state = data[key] = [now + seconds, 0]
        elif state[0] <= now:
            state[0] = now + seconds
            state[1] = 0
        used = state[1] + cost
        reset = state[0] - now
        if used <= limit:
            state[1] = used
            return new_decision(_D, (True, limit, limit - used, reset, 0.0, ()))
        return new_decision(_D, (False, limit, limit - state[1], reset, reset, ()))

    def check(key: str, cost: int, now: float) -> RateLimitDecision:
        state = get(key)
        if state is None or state[0] <= now:
            used, reset = 0, float(seconds)
        else:
            used, reset = state[1], state[0] - now
        if used + cost <= limit:
            return _D(True, limit, limit - used - cost, reset, 0.0)
        return _D(False, limit, limit - used, reset, reset)

    return MemoryWindow(limit, seconds, data, hit, check)


def sliding_window(
    limit: int, seconds: int, clock: Callable[[], float], admit: Admit, burst: int | None
) -> MemoryWindow:
    """Sliding window counter: windows aligned on multiples of the period, the previous
    window's count weighted by how much of it the sliding window still covers.

    The reset is the one of the sliding window the counter estimates, never more than one
    window: ``seconds`` when the current window counts hits (the newest may be this one),
    the rest of the current window when only the previous one does (its hits all leave a
    window-long view by then), ``0`` when nothing is counted. (The counter keeps weighing a
    window's hits during the next one, up to two windows in all: the reset of that estimate
    would exceed the window reported with it; ``retry_after`` of a denial is exact.)"""
    data: dict[str, State] = {}
    get = data.get
    double = 2 * seconds
    window = float(seconds)

    def decide(
        start: float, previous: int, current: int, cost: int, now: float
    ) -> RateLimitDecision:
        elapsed = now - start
        weighted = previous * (seconds - elapsed) / seconds + current
        if weighted + cost <= limit:
            reset = window if current + cost > 0 else (seconds - elapsed if previous else 0.0)
            return new_decision(_D, (True, limit, int(limit - weighted - cost), reset, 0.0, ()))
        reset = window if current else seconds - elapsed
        if cost > limit:
            retry = reset
        elif current + cost > limit:
            retry = seconds - elapsed + seconds * (1.0 - (limit - cost) / current)
        else:
            retry = seconds * (1.0 - (limit - current - cost) / previous) - elapsed
        return _D(False, limit, max(0, int(limit - weighted)), reset, retry)

    def hit(key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = clock()
        elapsed = now % seconds
        start = now - elapsed
        state = get(key)
        if state is None:
            previous = current = 0
        elif state[1] == start:
            previous, current = state[2], state[3]
        elif state[1] == start - seconds:
            previous, current = state[3], 0
        else:
            previous = current = 0
        weighted = previous * (seconds - elapsed) / seconds + current
        if weighted + cost > limit or cost <= 0:
            return decide(start, previous, current, cost, now)
        if state is None:
            admit(now)
            data[key] = [start + double, start, previous, current + cost]
        else:
            state[0] = start + double
            state[1] = start
            state[2] = previous
            state[3] = current + cost
        return new_decision(_D, (True, limit, int(limit - weighted - cost), window, 0.0, ()))

    def check(key: str, cost: int, now: float) -> RateLimitDecision:
        start = now - now % seconds
        state = get(key)
        if state is None:
            previous = current = 0
        elif state[1] == start:
            previous, current = state[2], state[3]
        elif state[1] == start - seconds:
            previous, current = state[3], 0
        else:
            previous = current = 0
        return decide(start, previous, current, cost, now)

    return MemoryWindow(limit, seconds, data, hit, check)


def sliding_log(
    limit: int, seconds: int, clock: Callable[[], float], admit: Admit, burst: int | None
) -> MemoryWindow:
    """Exact sliding log: the time of every unit hit during the last window."""
    data: dict[str, State] = {}
    get = data.get
    window = float(seconds)

    def trimmed(state: State | None, now: float) -> deque[float]:
        if state is None:
            return deque()
        log: deque[float] = state[1]
        cutoff = now - seconds
        while log and log[0] <= cutoff:
            log.popleft()
        return log

    def denied(log: deque[float], cost: int, now: float) -> RateLimitDecision:
        used = len(log)
        reset = log[-1] + seconds - now if log else 0.0
        retry = log[used + cost - limit - 1] + seconds - now if cost <= limit else reset
        return _D(False, limit, limit - used, reset, retry)

    def hit(key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = clock()
        state = get(key)
        if state is None:
            log: deque[float] = deque()
        else:
            log = state[1]
            cutoff = now - seconds
            while log and log[0] <= cutoff:
                log.popleft()
        used = len(log) + cost
        if used > limit:
            return denied(log, cost, now)
        if state is None:
            admit(now)
            state = data[key] = [now + seconds, log]
        else:
            state[0] = now + seconds
        if cost == 1:
            log.append(now)
        else:
            log.extend([now] * cost)
        return new_decision(_D, (True, limit, limit - used, window, 0.0, ()))

    def check(key: str, cost: int, now: float) -> RateLimitDecision:
        log = trimmed(get(key), now)
        used = len(log) + cost
        if used > limit:
            return denied(log, cost, now)
        reset = window if cost else (log[-1] + seconds - now if log else 0.0)
        return _D(True, limit, limit - used, reset, 0.0)

    return MemoryWindow(limit, seconds, data, hit, check)


def gcra(
    limit: int, seconds: int, clock: Callable[[], float], admit: Admit, burst: int | None
) -> MemoryWindow:
    """GCRA: a token bucket of capacity ``burst`` (default ``limit``) refilled at ``limit``
    per window; in integer microseconds so equal emission intervals add up exactly. The reset
    is the time until a window's quota (``limit`` tokens) is back, at most one window (the
    bucket is full then unless ``burst`` exceeds ``limit``)."""
    data: dict[str, State] = {}
    get = data.get
    capacity = burst if burst is not None else limit
    interval = max(1, round(seconds * 1_000_000 / limit))
    tolerance = capacity * interval
    spare = (capacity - limit) * interval  # bucket time beyond one window's quota

    def decide(diff: int, cost: int) -> RateLimitDecision:
        new = diff + cost * interval
        if new <= tolerance:
            reset = max(0, new - spare) / 1_000_000
            return _D(True, capacity, (tolerance - new) // interval, reset, 0.0)
        return _D(
            False,
            capacity,
            (tolerance - diff) // interval,
            max(0, diff - spare) / 1_000_000,
            (new - tolerance) / 1_000_000,
        )

    def hit(key: str, cost: int = 1, now: float | None = None) -> RateLimitDecision:
        if now is None:
            now = clock()
        now_us = round(now * 1_000_000)
        state = get(key)
        if state is None:
            diff = 0
        else:
            diff = state[1] - now_us
            if diff < 0:
                diff = 0
        new = diff + cost * interval
        if new > tolerance:
            return decide(diff, cost)
        full = new / 1_000_000
        if state is None:
            admit(now)
            data[key] = [now + full, now_us + new]
        else:
            state[0] = now + full
            state[1] = now_us + new
        reset = (new - spare) / 1_000_000 if new > spare else 0.0
        return new_decision(_D, (True, capacity, (tolerance - new) // interval, reset, 0.0, ()))

    def check(key: str, cost: int, now: float) -> RateLimitDecision:
        now_us = round(now * 1_000_000)
        state = get(key)
        tat: int = state[1] if state is not None else 0
        return decide(tat - now_us if tat > now_us else 0, cost)

    return MemoryWindow(limit, seconds, data, hit, check)


WINDOWS: dict[str, Factory] = {
    "fixed_window": fixed_window,
    "sliding_window": sliding_window,
    "sliding_log": sliding_log,
    "gcra": gcra,
}
