from collections.abc import Callable

import pytest

from lexigram.ratelimit import RateLimiter

MakeLimiter = Callable[..., RateLimiter]
Advance = Callable[[float], None]


async def test_burst_up_to_the_limit_then_one_per_interval(make_limiter: MakeLimiter) -> None:
    policy = make_limiter(algorithm="gcra").policy("6/minute")
    decisions = [await policy.hit("k") for _ in range(7)]
    assert [d.remaining for d in decisions[:6]] == [5, 4, 3, 2, 1, 0]
    assert not decisions[6].allowed
    assert decisions[6].retry_after == pytest.approx(10.0)
    assert decisions[5].reset_after == pytest.approx(60.0)


async def test_one_token_returns_per_emission_interval(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="gcra").policy("6/minute")
    for _ in range(6):
        await policy.hit("k")
    advance(9.999)
    before = await policy.hit("k")
    advance(0.001)
    after = await policy.hit("k")
    again = await policy.hit("k")
    assert not before.allowed
    assert after.allowed
    assert after.remaining == 0
    assert not again.allowed


async def test_bucket_refills_completely_after_a_window(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="gcra").policy("6/minute")
    for _ in range(6):
        await policy.hit("k")
    advance(60)
    decisions = [await policy.hit("k") for _ in range(6)]
    assert all(d.allowed for d in decisions)


async def test_burst_caps_the_bucket_below_the_rate(make_limiter: MakeLimiter) -> None:
    policy = make_limiter().policy("6/minute", algorithm="gcra", burst=2)
    decisions = [await policy.hit("k") for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[0].limit == 2
    assert decisions[2].retry_after == pytest.approx(10.0)


async def test_token_bucket_is_an_alias_of_gcra(make_limiter: MakeLimiter) -> None:
    policy = make_limiter().policy("2/minute", algorithm="token_bucket")
    assert policy.algorithm == "gcra"
    assert [(await policy.hit("k")).allowed for _ in range(3)] == [True, True, False]
