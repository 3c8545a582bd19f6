"""``/health``, ``/health/live``, ``/health/ready`` backed by the DI providers' health checks."""

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import ValidationError

from lexigram.di import HealthCheckResult, Provider
from lexigram.web import HealthConfig, LexigramApp, WebConfig
from lexigram.web.testing import AsyncTestClient


class Database(Provider):
    name = "database"

    def __init__(self, result: HealthCheckResult) -> None:
        self.result = result

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        return self.result


class Cache(Provider):
    name = "cache"
    health_required = False

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        return HealthCheckResult.unhealthy("connection refused to 10.0.0.7")


class Hanging(Provider):
    name = "hanging"

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class Exploding(Provider):
    name = "exploding"

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        raise RuntimeError("password=hunter2")


async def fetch(app: LexigramApp, *paths: str) -> list[Any]:
    async with AsyncTestClient(app) as client:
        return [await client.get(path) for path in paths]


async def test_all_healthy_answers_200_with_each_providers_status() -> None:
    app = LexigramApp(providers=[Database(HealthCheckResult.healthy("ok", pool=5))])
    health, live, ready = await fetch(app, "/health", "/health/live", "/health/ready")
    assert health.status_code == 200
    assert health.headers["content-type"] == "application/json"
    assert health.headers["cache-control"] == "no-store"
    assert health.json()["status"] == "healthy"
    assert health.json()["checks"]["database"] == {"status": "healthy"}
    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    assert ready.status_code == 200


async def test_an_unhealthy_required_provider_makes_ready_and_health_503() -> None:
    app = LexigramApp(providers=[Database(HealthCheckResult.unhealthy("disk full"))])
    health, live, ready = await fetch(app, "/health", "/health/live", "/health/ready")
    assert (health.status_code, ready.status_code, live.status_code) == (503, 503, 200)
    assert ready.json()["checks"]["database"] == {"status": "unhealthy"}
    assert "disk full" not in ready.text


async def test_an_unhealthy_optional_provider_leaves_the_app_ready() -> None:
    app = LexigramApp(providers=[Database(HealthCheckResult.healthy()), Cache()])
    health, ready = await fetch(app, "/health", "/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["cache"] == {"status": "unhealthy"}
    assert health.status_code == 503


async def test_providers_can_be_made_optional_by_name_in_the_config() -> None:
    app = LexigramApp(
        providers=[Database(HealthCheckResult.unhealthy())],
        health=HealthConfig(optional=("database",)),
    )
    (ready,) = await fetch(app, "/health/ready")
    assert ready.status_code == 200


async def test_a_degraded_required_provider_is_still_ready() -> None:
    app = LexigramApp(providers=[Database(HealthCheckResult.degraded("slow replica"))])
    (ready,) = await fetch(app, "/health/ready")
    assert (ready.status_code, ready.json()["status"]) == (200, "degraded")


async def test_a_hanging_check_is_cut_off_by_the_timeout_and_counts_as_unhealthy() -> None:
    app = LexigramApp(
        providers=[Database(HealthCheckResult.healthy()), Hanging()],
        health=HealthConfig(timeout=0.05),
    )
    started = time.monotonic()
    (ready,) = await fetch(app, "/health/ready")
    assert time.monotonic() - started < 2.0
    assert ready.status_code == 503
    assert ready.json()["checks"] == {
        "database": {"status": "healthy"},
        "hanging": {"status": "unhealthy"},
    }


async def test_a_failing_check_never_shows_exception_text_unless_debug() -> None:
    (quiet,) = await fetch(LexigramApp(providers=[Exploding()]), "/health")
    (loud,) = await fetch(LexigramApp(providers=[Exploding()], debug=True), "/health")
    assert quiet.status_code == loud.status_code == 503
    assert "RuntimeError" not in quiet.text
    assert "hunter2" not in quiet.text
    assert loud.json()["checks"]["exploding"]["message"] == "health check raised RuntimeError"


async def test_debug_shows_provider_messages_and_details() -> None:
    app = LexigramApp(providers=[Database(HealthCheckResult.healthy("ok", pool=5))], debug=True)
    (health,) = await fetch(app, "/health")
    assert health.json()["checks"]["database"] == {
        "status": "healthy",
        "message": "ok",
        "details": {"pool": 5},
    }


async def test_paths_are_configurable_and_endpoints_can_be_left_out() -> None:
    config = WebConfig(health=HealthConfig(path="/status", live_path="/livez", ready_path=None))
    app = LexigramApp(config=config)
    status, livez, ready, old = await fetch(app, "/status", "/livez", "/health/ready", "/health")
    assert (status.status_code, livez.status_code) == (200, 200)
    assert (ready.status_code, old.status_code) == (404, 404)


async def test_health_can_be_disabled() -> None:
    (health,) = await fetch(LexigramApp(health=False), "/health/live")
    assert health.status_code == 404


async def test_an_application_route_on_a_health_path_wins() -> None:
    app = LexigramApp()

    @app.get("/health")
    async def mine() -> dict[str, str]:
        return {"mine": "yes"}

    health, live = await fetch(app, "/health", "/health/live")
    assert health.json() == {"mine": "yes"}
    assert live.status_code == 200


async def test_health_probes_bypass_guards_and_are_not_listed_as_routes() -> None:
    class DenyAll:
        def can_activate(self, context: Any) -> bool:
            return False

    app = LexigramApp(guards=[DenyAll()])

    @app.get("/private")
    async def private() -> None: ...

    async with AsyncTestClient(app) as client:
        denied = await client.get("/private")
        live = await client.get("/health/live")
        listed = {route.path for route in app.routes}
    assert (denied.status_code, live.status_code) == (403, 200)
    assert not any(path.startswith("/health") for path in listed)


class Decision:
    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.limit = 1
        self.remaining = 0
        self.reset_after = 60.0
        self.retry_after = 60.0


class OnePerKey:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def hit(self, key: str, cost: int = 1) -> Decision:
        allowed = key not in self.seen
        self.seen.add(key)
        return Decision(allowed)

    def headers(self, decision: Any) -> list[tuple[str, str]]:
        return [] if decision.allowed else [("Retry-After", "60")]


class Limiter:
    """A limiter whose default rate allows one request per client, excluding nothing."""

    default_rate = "1/minute"
    exclude: Sequence[str] = ()

    def policy(self, rate: str) -> OnePerKey:
        return OnePerKey()


async def test_health_probes_are_outside_the_default_rate_limit() -> None:
    app = LexigramApp()
    app.container.singleton(Limiter, instance=Limiter())

    @app.get("/work")
    async def work() -> None: ...

    async with AsyncTestClient(app) as client:
        worked = [(await client.get("/work")).status_code for _ in range(2)]
        probes = [(await client.get("/health/ready")).status_code for _ in range(3)]
    assert worked == [204, 429]
    assert probes == [200, 200, 200]


@pytest.mark.extra("ratelimit")
def test_the_ratelimit_packages_default_exclusions_cover_the_health_paths() -> None:
    from lexigram.ratelimit import RateLimiter
    from lexigram.web._pipeline.throttle import is_excluded

    exclude = RateLimiter.DEFAULT_EXCLUDE
    assert all(is_excluded(path, exclude) for path in ("/health", "/health/live", "/health/ready"))


def test_health_paths_must_be_static_absolute_paths() -> None:
    with pytest.raises(ValidationError, match="static absolute path"):
        HealthConfig(path="health")
    with pytest.raises(ValidationError, match="static absolute path"):
        HealthConfig(ready_path="/ready/{x}")


async def test_health_settings_may_be_a_mapping() -> None:
    (alive,) = await fetch(LexigramApp(health={"live_path": "/alive"}), "/alive")
    assert alive.json() == {"status": "alive"}
