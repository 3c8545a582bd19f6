from collections.abc import Callable

import pytest

from lexigram.ratelimit import RateLimiter

MakeLimiter = Callable[..., RateLimiter]
Advance = Callable[[float], None]


async def test_allows_up_to_the_limit_then_denies(make_limiter: MakeLimiter) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("3/minute")
    remaining = [(await policy.hit("k")).remaining for _ in range(3)]
    denied = await policy.hit("k")
    assert remaining == [2, 1, 0]
    assert not denied.allowed
    assert denied.remaining == 0
    assert denied.limit == 3
    assert denied.retry_after == pytest.approx(60.0)


async def test_window_resets_exactly_at_its_end(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("3/minute")
    for _ in range(3):
        await policy.hit("k")
    advance(59.999)
    before = await policy.hit("k")
    advance(0.001)
    after = await policy.hit("k")
    assert not before.allowed
    assert before.retry_after == pytest.approx(0.001, abs=1e-6)
    assert after.allowed
    assert after.remaining == 2


async def test_window_starts_at_the_first_hit(make_limiter: MakeLimiter, advance: Advance) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("2/minute")
    advance(30)
    first = await policy.hit("k")
    await policy.hit("k")
    advance(59)
    still = await policy.hit("k")
    assert first.reset_after == pytest.approx(60.0)
    assert not still.allowed
    assert still.reset_after == pytest.approx(1.0)


async def test_cost_consumes_several_units(make_limiter: MakeLimiter) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("5/minute")
    big = await policy.hit("k", 4)
    too_big = await policy.hit("k", 2)
    small = await policy.hit("k", 1)
    assert (big.allowed, big.remaining) == (True, 1)
    assert (too_big.allowed, too_big.remaining) == (False, 1)
    assert (small.allowed, small.remaining) == (True, 0)


async def test_keys_are_limited_independently(make_limiter: MakeLimiter) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("1/minute")
    await policy.hit("a")
    assert not (await policy.hit("a")).allowed
    assert (await policy.hit("b")).allowed
