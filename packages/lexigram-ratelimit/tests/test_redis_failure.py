"""The failure policy against a real redis-server that is killed and restarted mid-run."""

import logging
import time
from typing import Any

import pytest

from lexigram.ratelimit import RateLimiter
from lexigram.ratelimit.redis import RedisBackend

pytestmark = pytest.mark.extra("redis")


class Clock:
    """Drives the probe backoff (Redis keeps its own time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _run(server: Any, on_backend_error: Any) -> dict[str, Any]:
    clock = Clock()
    backend = RedisBackend(url=server.url, timeout=0.25, key_prefix="kill:")
    limiter = RateLimiter(
        backend,
        algorithm="fixed_window",
        on_backend_error=on_backend_error,
        retry_backoff=(1.0, 8.0),
        clock=clock,
    )
    policy = limiter.policy("3/minute")
    result: dict[str, Any] = {"before": [await policy.hit("k") for _ in range(2)]}
    server.stop()
    started = time.monotonic()
    result["down"] = [await policy.hit("k") for _ in range(4)]
    result["down_seconds"] = time.monotonic() - started
    result["down_health"] = limiter.health()
    server.start()
    clock.now += 1.0  # the probe is due: the next check goes to Redis again
    result["after"] = [await policy.hit("k") for _ in range(4)]
    result["after_health"] = limiter.health()
    await limiter.aclose()
    return result


async def test_open_allows_while_redis_is_dead_then_limits_resume(
    own_redis_server: Any,
) -> None:
    result = await _run(own_redis_server, "open")
    assert [d.allowed for d in result["before"]] == [True, True]
    assert all(d.allowed for d in result["down"])
    assert result["down_seconds"] < 1.0
    assert result["down_health"].status == "degraded"
    assert [d.allowed for d in result["after"]] == [True, True, True, False]
    assert result["after_health"].status == "ok"


async def test_closed_denies_while_redis_is_dead_then_limits_resume(
    own_redis_server: Any,
) -> None:
    result = await _run(own_redis_server, "closed")
    assert not any(d.allowed for d in result["down"])
    assert all(d.retry_after >= 1.0 for d in result["down"])
    assert result["down_seconds"] < 1.0
    assert result["down_health"].status == "down"
    assert [d.allowed for d in result["after"]] == [True, True, True, False]


async def test_memory_limits_per_process_while_redis_is_dead_then_limits_resume(
    own_redis_server: Any,
) -> None:
    result = await _run(own_redis_server, "memory")
    assert [d.allowed for d in result["down"]] == [True, True, True, False]
    assert result["down_seconds"] < 1.0
    assert result["down_health"].status == "degraded"
    assert [d.allowed for d in result["after"]] == [True, True, True, False]
    assert result["after_health"].healthy


async def test_the_outage_and_the_recovery_are_logged_once_each(
    own_redis_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="lexigram.ratelimit")
    await _run(own_redis_server, "memory")
    messages = [r.getMessage() for r in caplog.records if r.name == "lexigram.ratelimit"]
    assert len(messages) == 2
    assert "unavailable" in messages[0]
    assert "over to per-process memory" in messages[0]
    assert "answers again" in messages[1]
