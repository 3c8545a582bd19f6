import asyncio
from collections.abc import Callable

import pytest

from lexigram.ratelimit import MemoryBackend, Rate, RateLimiter


def _clock() -> tuple[list[float], Callable[[], float]]:
    now = [1000.0]
    return now, lambda: now[0]


def test_expired_keys_are_evicted_by_the_periodic_sweep() -> None:
    now, clock = _clock()
    backend = MemoryBackend(clock=clock, sweep_interval=30.0)
    limit = backend.bind(Rate.parse("5/minute"), "fixed_window")
    for key in ("a", "b", "c"):
        limit.hit_sync(key)
    now[0] += 61
    limit.hit_sync("d")
    assert len(backend) == 1


def test_live_keys_survive_the_sweep() -> None:
    now, clock = _clock()
    backend = MemoryBackend(clock=clock, sweep_interval=30.0)
    limit = backend.bind(Rate.parse("5/hour"), "sliding_log")
    limit.hit_sync("a")
    now[0] += 61
    limit.hit_sync("b")
    assert len(backend) == 2
    assert limit.peek_sync("a").remaining == 4


def test_the_key_cap_evicts_the_oldest_keys() -> None:
    _, clock = _clock()
    backend = MemoryBackend(clock=clock, max_keys=10)
    limit = backend.bind(Rate.parse("5/hour"), "gcra")
    for index in range(25):
        limit.hit_sync(f"k{index}")
    assert len(backend) <= 10
    assert limit.peek_sync("k24").remaining == 4
    assert limit.peek_sync("k0").remaining == 5


def test_sweep_returns_how_many_states_it_evicted() -> None:
    now, clock = _clock()
    backend = MemoryBackend(clock=clock)
    limit = backend.bind(Rate.parse("1/second;5/minute"), "fixed_window")
    limit.hit_sync("a")
    now[0] += 2
    assert backend.sweep() == 1
    now[0] += 60
    assert backend.sweep() == 1
    assert len(backend) == 0


async def test_policies_with_the_same_rate_and_algorithm_share_counters() -> None:
    limiter = RateLimiter(algorithm="fixed_window")
    first = limiter.policy("2/minute")
    second = limiter.policy("2 per minute")
    other = limiter.policy("2/minute", algorithm="sliding_log")
    await first.hit("k")
    assert (await second.peek("k")).remaining == 1
    assert (await other.peek("k")).remaining == 2


async def test_concurrent_coroutines_never_exceed_the_limit() -> None:
    policy = RateLimiter(algorithm="sliding_log").policy("10/minute")
    decisions = await asyncio.gather(*(policy.hit("k") for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 10


def test_clear_forgets_every_key() -> None:
    backend = MemoryBackend()
    limit = backend.bind(Rate.parse("1/minute"), "fixed_window")
    limit.hit_sync("a")
    backend.clear()
    assert limit.hit_sync("a").allowed


def test_a_cap_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_keys"):
        MemoryBackend(max_keys=0)
