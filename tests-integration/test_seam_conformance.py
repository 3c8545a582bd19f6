"""The siblings satisfy the Protocols lexigram-web declares, statically and at run time.

The annotated assignments below are type-checked by mypy in the ``integration`` session:
a signature drifting away from its Protocol fails the type check, not only a test.
"""

from __future__ import annotations

from lexigram.cqrs import CommandBus, HandlerRegistry, QueryBus
from lexigram.ratelimit import RateLimitDecision, RateLimiter
from lexigram.result import Err, Ok
from lexigram.web import (
    CommandBusProtocol,
    QueryBusProtocol,
    RateLimitDecisionProtocol,
    RateLimiterProtocol,
    RatePolicyProtocol,
    ResultLike,
)


def test_ok_and_err_are_result_like() -> None:
    ok: ResultLike = Ok(1)
    err: ResultLike = Err("e")
    assert ok.is_ok()
    assert ok.unwrap() == 1
    assert not err.is_ok()
    assert err.unwrap_err() == "e"


async def test_rate_limiter_satisfies_the_limiter_protocols() -> None:
    limiter: RateLimiterProtocol = RateLimiter(default_rate="5/minute")
    policy: RatePolicyProtocol = limiter.policy("1/minute")
    decision: RateLimitDecisionProtocol = await policy.hit("k")
    assert limiter.default_rate == "5/minute"
    assert decision.allowed
    assert isinstance(decision, RateLimitDecision)
    assert policy.headers(decision)


def test_cqrs_buses_satisfy_the_bus_protocols() -> None:
    registry = HandlerRegistry([])
    commands: CommandBusProtocol = CommandBus(registry)
    queries: QueryBusProtocol = QueryBus(registry)
    assert callable(commands.dispatch)
    assert callable(queries.execute)
