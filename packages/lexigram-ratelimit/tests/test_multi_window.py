from collections.abc import Callable

import pytest

from lexigram.ratelimit import RateLimiter

MakeLimiter = Callable[..., RateLimiter]
Advance = Callable[[float], None]


@pytest.mark.parametrize("algorithm", ["fixed_window", "sliding_log", "gcra"])
async def test_every_window_must_allow(
    make_limiter: MakeLimiter, advance: Advance, algorithm: str
) -> None:
    policy = make_limiter(algorithm=algorithm).policy("2/second;3/minute")
    first = [await policy.hit("k") for _ in range(3)]
    advance(1)
    second = [await policy.hit("k") for _ in range(2)]
    assert [d.allowed for d in first] == [True, True, False]
    assert [d.allowed for d in second] == [True, False]


async def test_a_denied_hit_consumes_no_window(make_limiter: MakeLimiter, advance: Advance) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("2/second;3/minute")
    for _ in range(2):
        await policy.hit("k")
    denied = await policy.hit("k")
    minute = denied.windows[1]
    assert not denied.allowed
    assert minute.allowed
    assert minute.remaining == 1


async def test_decision_reports_the_binding_window(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    policy = make_limiter(algorithm="fixed_window").policy("2/second;3/minute")
    for _ in range(2):
        await policy.hit("k")
    advance(1)
    await policy.hit("k")
    denied = await policy.hit("k")
    assert denied.limit == 3
    assert denied.remaining == 0
    assert denied.retry_after == pytest.approx(59.0)
    assert [w.limit for w in denied.windows] == [2, 3]
