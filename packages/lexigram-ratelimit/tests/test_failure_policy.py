"""The failure policy, driven by a backend that fails on demand (no Redis needed)."""

import asyncio
import logging
from typing import Any

import pytest

from lexigram.ratelimit import Rate, RateLimitDecision, RateLimiter


class FlakyLimit:
    def __init__(self, backend: "FlakyBackend") -> None:
        self.backend = backend

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision:
        return await self.backend.answer()

    async def peek(self, key: str) -> RateLimitDecision:
        return await self.backend.answer()

    async def reset(self, key: str) -> None:
        await self.backend.answer()


class FlakyBackend:
    """Answers "allowed, 7 remaining" while up; raises ConnectionError while down."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.gate: asyncio.Event | None = None

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        return (ConnectionError,)

    async def answer(self) -> RateLimitDecision:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise ConnectionError("connection refused")
        return RateLimitDecision(True, 10, 7, 60.0, 0.0)

    def bind(self, rate: Rate, algorithm: Any, burst: int | None = None) -> FlakyLimit:
        return FlakyLimit(self)

    async def ping(self) -> None:
        if self.down:
            raise ConnectionError("connection refused")

    async def aclose(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _limiter(policy: Any, **options: Any) -> tuple[RateLimiter, FlakyBackend, Clock]:
    backend, clock = FlakyBackend(), Clock()
    limiter = RateLimiter(
        backend, on_backend_error=policy, retry_backoff=(1.0, 4.0), clock=clock, **options
    )
    return limiter, backend, clock


async def test_open_allows_while_the_backend_is_down() -> None:
    limiter, backend, _ = _limiter("open")
    policy = limiter.policy("3/minute")
    backend.down = True
    decisions = [await policy.hit("k") for _ in range(5)]
    assert all(d.allowed for d in decisions)
    assert limiter.health().status == "degraded"


async def test_closed_denies_while_the_backend_is_down() -> None:
    limiter, backend, _ = _limiter("closed")
    policy = limiter.policy("3/minute")
    backend.down = True
    decision = await policy.hit("k")
    assert not decision.allowed
    assert decision.retry_after >= 1.0
    assert limiter.health().status == "down"


async def test_memory_limits_each_process_on_its_own_while_down() -> None:
    limiter, backend, _ = _limiter("memory")
    policy = limiter.policy("3/minute")
    backend.down = True
    decisions = [await policy.hit("k") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert (await policy.peek("k")).remaining == 0


async def test_the_backend_is_not_called_again_before_the_backoff() -> None:
    limiter, backend, clock = _limiter("open")
    policy = limiter.policy("3/minute")
    backend.down = True
    await policy.hit("k")
    calls = backend.calls
    for _ in range(10):
        await policy.hit("k")
    clock.now += 0.9
    await policy.hit("k")
    assert backend.calls == calls


async def test_a_probe_after_the_backoff_switches_back() -> None:
    limiter, backend, clock = _limiter("closed")
    policy = limiter.policy("3/minute")
    backend.down = True
    await policy.hit("k")
    backend.down = False
    clock.now += 1.0
    decision = await policy.hit("k")
    assert decision.remaining == 7
    assert limiter.health().status == "ok"


async def test_a_failed_probe_doubles_the_backoff_up_to_the_maximum() -> None:
    limiter, backend, clock = _limiter("open")
    policy = limiter.policy("3/minute")
    backend.down = True
    await policy.hit("k")
    probes: list[int] = []
    for delay in (1.0, 2.0, 4.0, 4.0):
        clock.now += delay - 0.01
        before = backend.calls
        await policy.hit("k")
        clock.now += 0.01
        await policy.hit("k")
        probes.append(backend.calls - before)
    assert probes == [1, 1, 1, 1]


async def test_each_transition_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    limiter, backend, clock = _limiter("open")
    policy = limiter.policy("3/minute")
    caplog.set_level(logging.INFO, logger="lexigram.ratelimit")
    backend.down = True
    for _ in range(5):
        await policy.hit("k")
    backend.down = False
    clock.now += 1.0
    for _ in range(5):
        await policy.hit("k")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "unavailable" in messages[0]
    assert "ConnectionError" in messages[0]
    assert "answers again" in messages[1]


async def test_only_one_probe_at_a_time() -> None:
    limiter, backend, clock = _limiter("open")
    policy = limiter.policy("3/minute")
    backend.down = True
    await policy.hit("k")
    backend.down = False
    clock.now += 1.0
    backend.gate = asyncio.Event()
    probe = asyncio.create_task(policy.hit("k"))
    await asyncio.sleep(0)
    others = [await policy.hit("k") for _ in range(3)]
    calls_during_probe = backend.calls
    backend.gate.set()
    await probe
    assert calls_during_probe == 2
    assert all(d.allowed for d in others)


async def test_a_cancelled_probe_lets_the_next_check_probe() -> None:
    limiter, backend, clock = _limiter("closed")
    policy = limiter.policy("3/minute")
    backend.down = True
    await policy.hit("k")
    clock.now += 1.0
    backend.gate = asyncio.Event()
    probe = asyncio.create_task(policy.hit("k"))
    await asyncio.sleep(0)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    backend.gate = None
    backend.down = False
    assert (await policy.hit("k")).allowed


async def test_health_names_the_last_error() -> None:
    limiter, backend, _ = _limiter("memory")
    policy = limiter.policy("3/minute")
    backend.down = True
    await policy.hit("k")
    health = limiter.health()
    assert not health.healthy
    assert health.last_error == "ConnectionError: connection refused"
    assert health.since == 100.0
    assert not await limiter.ping()


async def test_reset_while_down_raises_nothing() -> None:
    limiter, backend, _ = _limiter("memory")
    policy = limiter.policy("1/minute")
    backend.down = True
    await policy.hit("k")
    await policy.reset("k")
    assert (await policy.hit("k")).allowed
