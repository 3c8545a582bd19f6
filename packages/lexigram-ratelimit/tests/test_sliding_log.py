from collections.abc import Callable

import pytest

from lexigram.ratelimit import RateLimiter

MakeLimiter = Callable[..., RateLimiter]
Advance = Callable[[float], None]


async def test_counts_exactly_the_hits_of_the_last_window(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="sliding_log").policy("3/minute")
    for _ in range(3):
        assert (await policy.hit("k")).allowed
        advance(10)
    denied = await policy.hit("k")  # at +30: the hits of +0, +10, +20 count
    assert not denied.allowed
    assert denied.retry_after == pytest.approx(30.0)
    assert denied.reset_after == pytest.approx(50.0)


async def test_a_hit_leaves_the_window_exactly_one_period_later(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="sliding_log").policy("3/minute")
    for _ in range(3):
        await policy.hit("k")
        advance(10)
    advance(29.999)  # +59.999
    before = await policy.hit("k")
    advance(0.001)  # +60: the first hit leaves
    after = await policy.hit("k")
    again = await policy.hit("k")
    assert not before.allowed
    assert after.allowed
    assert after.remaining == 0
    assert not again.allowed
    assert again.retry_after == pytest.approx(10.0)


async def test_no_burst_across_a_window_boundary(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="sliding_log").policy("4/minute")
    advance(50)
    for _ in range(4):
        await policy.hit("k")
    advance(20)  # a fixed window would have reset; the log still holds 4 hits
    assert not (await policy.hit("k")).allowed


async def test_cost_larger_than_one(make_limiter: MakeLimiter, advance: Advance) -> None:
    policy = make_limiter(algorithm="sliding_log").policy("5/minute")
    await policy.hit("k", 3)
    advance(10)
    await policy.hit("k", 2)
    denied = await policy.hit("k", 2)  # needs the first 3 units gone
    assert not denied.allowed
    assert denied.retry_after == pytest.approx(50.0)
