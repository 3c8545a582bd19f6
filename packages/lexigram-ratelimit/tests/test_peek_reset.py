from collections.abc import Callable

import pytest

from lexigram.ratelimit import RateLimiter

MakeLimiter = Callable[..., RateLimiter]


ALGORITHMS = ["fixed_window", "sliding_window", "sliding_log", "gcra"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_peek_consumes_nothing(make_limiter: MakeLimiter, algorithm: str) -> None:
    policy = make_limiter(algorithm=algorithm).policy("3/minute")
    await policy.hit("k")
    peeks = [await policy.peek("k") for _ in range(5)]
    hit = await policy.hit("k")
    assert [p.remaining for p in peeks] == [2] * 5
    assert all(p.allowed for p in peeks)
    assert hit.remaining == 1


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_peek_tells_when_the_next_hit_would_be_denied(
    make_limiter: MakeLimiter, algorithm: str
) -> None:
    policy = make_limiter(algorithm=algorithm).policy("2/minute")
    await policy.hit("k")
    await policy.hit("k")
    peek = await policy.peek("k")
    assert not peek.allowed
    assert peek.remaining == 0
    assert peek.retry_after > 0


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_peek_of_an_unknown_key_shows_the_full_quota(
    make_limiter: MakeLimiter, algorithm: str
) -> None:
    peek = await make_limiter(algorithm=algorithm).policy("4/minute").peek("new")
    assert peek.allowed
    assert peek.remaining == 4


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_reset_forgets_the_key(make_limiter: MakeLimiter, algorithm: str) -> None:
    policy = make_limiter(algorithm=algorithm).policy("1/minute;5/hour")
    await policy.hit("k")
    await policy.reset("k")
    decision = await policy.hit("k")
    assert decision.allowed
    assert decision.windows[1].remaining == 4
