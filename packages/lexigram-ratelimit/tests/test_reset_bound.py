"""The reset a decision reports (``t`` of the IETF ``RateLimit`` header) never exceeds the
window it is reported for, whatever the algorithm and the moment."""

import math
from collections.abc import Callable

import pytest

from lexigram.ratelimit import Rate, RateLimitDecision, RateLimiter, RateLimitHeaders

MakeLimiter = Callable[..., RateLimiter]
Advance = Callable[[float], None]
ALGORITHMS = ["fixed_window", "sliding_window", "sliding_log", "gcra"]


async def test_the_default_sliding_window_reports_t_within_the_window(
    make_limiter: MakeLimiter, advance: Advance
) -> None:
    limiter = make_limiter(default_rate="60/minute")
    policy = limiter.default_policy
    assert policy is not None
    advance(11)  # 11 s into the counter's aligned minute
    decision = await policy.hit("client")
    headers = dict(policy.headers(decision))
    assert headers["RateLimit-Policy"] == '"default";q=60;w=60'
    assert headers["RateLimit"] == '"default";r=59;t=60'


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_reset_after_stays_within_the_window_at_every_moment(
    make_limiter: MakeLimiter, advance: Advance, algorithm: str
) -> None:
    policy = make_limiter(algorithm=algorithm).policy("5/minute")
    resets: list[float] = []
    for _ in range(9):  # hits, denials and peeks across three of the counter's windows
        advance(13.7)
        resets.extend([(await policy.hit("k")).reset_after for _ in range(3)])
        resets.append((await policy.peek("k")).reset_after)
    assert max(resets) <= 60.0
    assert min(resets) >= 0.0


async def test_a_gcra_burst_reports_when_a_window_of_quota_is_back(
    make_limiter: MakeLimiter,
) -> None:
    policy = make_limiter(algorithm="gcra").policy("6/minute", burst=9)
    decisions = [await policy.hit("k") for _ in range(9)]
    assert [d.allowed for d in decisions] == [True] * 9
    assert decisions[-1].reset_after == pytest.approx(60.0)  # 6 of the 9 tokens back
    assert decisions[2].reset_after == pytest.approx(0.0)  # 6 tokens still there


def test_headers_never_round_t_above_the_window() -> None:
    decision = RateLimitDecision(True, 7, 0, 60.000003, 0.0)  # microsecond rounding
    headers = RateLimitHeaders(Rate.parse("7/minute"))(decision)
    assert dict(headers)["RateLimit"] == '"default";r=0;t=60'
    assert math.ceil(decision.reset_after) == 61
