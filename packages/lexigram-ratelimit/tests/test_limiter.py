from collections.abc import Sequence
from typing import Any, Protocol

import pytest

from lexigram.ratelimit import MemoryBackend, RateLimitDecision, RateLimiter


class DecisionShape(Protocol):
    @property
    def allowed(self) -> bool: ...
    @property
    def limit(self) -> int: ...
    @property
    def remaining(self) -> int: ...
    @property
    def reset_after(self) -> float: ...
    @property
    def retry_after(self) -> float: ...


class PolicyShape(Protocol):
    async def hit(self, key: str, cost: int = 1) -> DecisionShape: ...
    def headers(self, decision: Any) -> list[tuple[str, str]]: ...


class LimiterShape(Protocol):
    """The shape the web layer consumes (its ``RateLimiterProtocol``)."""

    def policy(self, rate: str) -> PolicyShape: ...
    @property
    def default_rate(self) -> str | None: ...
    @property
    def exclude(self) -> Sequence[str]: ...
    @property
    def per_process(self) -> bool: ...


async def test_limiter_satisfies_the_web_layer_protocol() -> None:
    limiter: LimiterShape = RateLimiter(default_rate="100/minute", exclude=["/health"])
    policy = limiter.policy("2/second")
    decision = await policy.hit("k")
    assert limiter.default_rate == "100/minute"
    assert list(limiter.exclude) == ["/health"]
    assert limiter.per_process is True  # the memory backend
    assert decision.allowed
    assert policy.headers(decision)[0][0] == "RateLimit-Policy"


def test_default_rate_is_normalised() -> None:
    assert RateLimiter(default_rate="100 per minute").default_rate == "100/minute"


def test_no_default_rate_by_default() -> None:
    limiter = RateLimiter()
    assert limiter.default_rate is None
    assert limiter.default_policy is None


def test_a_malformed_default_rate_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="'<count>/<period>'"):
        RateLimiter(default_rate="lots")


def test_a_malformed_rate_fails_when_the_policy_is_built() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. '30/minute'"):
        RateLimiter().policy("30/fortnight")


def test_unknown_algorithm_names_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match="'sliding_log'"):
        RateLimiter(algorithm="leaky")  # type: ignore[arg-type]


def test_burst_needs_a_single_window_gcra_rate() -> None:
    limiter = RateLimiter()
    with pytest.raises(ValueError, match="algorithm='gcra'"):
        limiter.policy("10/minute", burst=5)
    with pytest.raises(ValueError, match="single-window"):
        limiter.policy("1/second;10/minute", algorithm="gcra", burst=5)


def test_unknown_failure_policy_is_rejected() -> None:
    with pytest.raises(ValueError, match="'open', 'closed' or 'memory'"):
        RateLimiter(on_backend_error="ignore")  # type: ignore[arg-type]


async def test_hit_by_rate_string_builds_the_policy_once() -> None:
    limiter = RateLimiter(algorithm="fixed_window")
    decisions = [await limiter.hit("k", "2/minute") for _ in range(3)]
    peek = await limiter.peek("k", "2/minute")
    assert [d.allowed for d in decisions] == [True, True, False]
    assert peek.remaining == 0


async def test_memory_limiter_is_always_healthy() -> None:
    limiter = RateLimiter(MemoryBackend())
    assert limiter.health().status == "ok"
    assert await limiter.ping()


def test_policy_headers_follow_the_limiter_dialect() -> None:
    limiter = RateLimiter(headers="x-ratelimit", headers_on_allowed=False)
    policy = limiter.policy("5/minute")
    denied = RateLimitDecision(False, 5, 0, 10.0, 10.0)
    assert policy.headers(RateLimitDecision(True, 5, 4, 60.0, 0.0)) == []
    assert ("X-RateLimit-Limit", "5") in policy.headers(denied)


def test_decision_equality_and_truth() -> None:
    decision = RateLimitDecision(True, 5, 4, 60.0, 0.0)
    assert decision == RateLimitDecision(True, 5, 4, 60.0, 0.0)
    assert decision != RateLimitDecision(False, 5, 4, 60.0, 0.0)
    assert decision
    assert "remaining=4" in repr(decision)
