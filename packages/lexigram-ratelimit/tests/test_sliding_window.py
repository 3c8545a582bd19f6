from collections.abc import Callable

import pytest

from lexigram.ratelimit import RateLimiter

MakeLimiter = Callable[..., RateLimiter]
Advance = Callable[[float], None]


async def test_allows_up_to_the_limit_in_one_window(make_limiter: MakeLimiter) -> None:
    policy = make_limiter(algorithm="sliding_window").policy("10/minute")
    decisions = [await policy.hit("k") for _ in range(11)]
    assert [d.allowed for d in decisions] == [True] * 10 + [False]
    assert decisions[9].remaining == 0


async def test_previous_window_is_weighted_by_its_overlap(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="sliding_window").policy("10/minute")
    for _ in range(10):
        await policy.hit("k")
    denied = await policy.hit("k")
    advance(65.9)  # weight (60 - 5.9) / 60 -> 9.0166 of 10 still counted
    still = await policy.hit("k")
    advance(0.1)  # weight 54 / 60 -> 9 counted: one more fits
    allowed = await policy.hit("k")
    assert denied.retry_after == pytest.approx(66.0)
    assert not still.allowed
    assert allowed.allowed
    assert allowed.remaining == 0


async def test_quota_is_fully_restored_after_two_windows(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="sliding_window").policy("10/minute")
    first = await policy.hit("k")
    for _ in range(9):
        await policy.hit("k")
    advance(120)
    decisions = [await policy.hit("k") for _ in range(10)]
    assert first.reset_after == pytest.approx(60.0)  # reported within the window
    assert all(d.allowed for d in decisions)


async def test_retry_within_the_window_waits_for_the_previous_count_to_decay(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="sliding_window").policy("10/minute")
    for _ in range(10):
        await policy.hit("k")
    advance(60)  # previous = 10 at full weight, current = 0
    denied = await policy.hit("k")
    advance(6)  # weight 54 / 60 -> 9 counted
    allowed = await policy.hit("k")
    assert not denied.allowed
    assert denied.retry_after == pytest.approx(6.0)
    assert allowed.allowed
