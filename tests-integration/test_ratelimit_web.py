"""@throttle and the module's default limit, enforced by lexigram-web with lexigram-ratelimit."""

from __future__ import annotations

import time
from typing import Any

from _redis_server import RedisServer

from lexigram.ratelimit import RateLimiter
from lexigram.ratelimit.di import RateLimitModule
from lexigram.web import Controller, LexigramApp, get, throttle
from lexigram.web.testing import TestClient


class ItemsController(Controller):
    prefix = "/items"

    @get("/")
    @throttle("2/minute", by="ip")
    async def list_items(self) -> list[int]:
        return [1, 2]

    @get("/free")
    async def free(self) -> dict[str, bool]:
        return {"free": True}


def make_app(module: Any) -> LexigramApp:
    return LexigramApp(controllers=[ItemsController], modules=[module])


def test_throttled_route_answers_429_problem_with_ietf_headers() -> None:
    with TestClient(make_app(RateLimitModule.configure())) as client:
        first = client.get("/items/")
        assert first.status_code == 200
        assert first.headers["ratelimit-policy"] == '"default";q=2;w=60'
        assert client.get("/items/").status_code == 200
        denied = client.get("/items/")
    assert denied.status_code == 429
    assert denied.headers["content-type"] == "application/problem+json"
    assert int(denied.headers["retry-after"]) > 0
    assert denied.headers["ratelimit"].startswith('"default";r=0;t=')
    body = denied.json()
    assert body["status"] == 429
    assert body["title"] == "Too Many Requests"


def test_default_limit_is_enforced_on_routes_without_throttle() -> None:
    module = RateLimitModule.configure(default_limit="3/minute")
    with TestClient(make_app(module)) as client:
        statuses = [client.get("/items/free").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_health_paths_are_excluded_from_the_default_limit() -> None:
    app = make_app(RateLimitModule.configure(default_limit="1/minute"))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    with TestClient(app) as client:
        statuses = [client.get("/health").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_throttle_on_redis_is_shared_by_two_apps(redis_server: RedisServer) -> None:
    # Two app instances stand for two worker processes sharing one Redis.
    first = make_app(RateLimitModule.configure(redis_url=redis_server.url))
    second = make_app(RateLimitModule.configure(redis_url=redis_server.url))
    with TestClient(first) as a, TestClient(second) as b:
        statuses = [a.get("/items/").status_code, b.get("/items/").status_code]
        statuses += [a.get("/items/").status_code, b.get("/items/").status_code]
    assert statuses == [200, 200, 429, 429]


def test_dead_redis_fails_open_without_errors(redis_server: RedisServer) -> None:
    module = RateLimitModule.configure(redis_url=redis_server.url, on_backend_error="open")
    with TestClient(make_app(module)) as client:
        assert client.get("/items/").status_code == 200
        redis_server.stop()
        statuses = [client.get("/items/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]


def test_dead_redis_fails_closed_with_429_problem(redis_server: RedisServer) -> None:
    module = RateLimitModule.configure(redis_url=redis_server.url, on_backend_error="closed")
    with TestClient(make_app(module)) as client:
        assert client.get("/items/").status_code == 200
        redis_server.stop()
        denied = client.get("/items/")
    assert denied.status_code == 429
    assert denied.headers["content-type"] == "application/problem+json"
    assert "retry-after" in denied.headers


def test_memory_fallback_limits_during_an_outage_and_redis_resumes(
    redis_server: RedisServer,
) -> None:
    module = RateLimitModule.configure(
        redis_url=redis_server.url, on_backend_error="memory", default_limit="1000/minute"
    )
    app = make_app(module)
    with TestClient(app) as client:
        limiter = app.container.resolve(RateLimiter)
        assert client.get("/items/").status_code == 200
        redis_server.stop()
        # Per-process memory takes over with fresh counts: the limit still holds.
        during_outage = [client.get("/items/").status_code for _ in range(3)]
        assert limiter.health().status != "ok"
        restarted = RedisServer(port=redis_server.port)
        restarted.start()
        try:
            deadline = time.monotonic() + 10
            while limiter.health().status != "ok" and time.monotonic() < deadline:
                client.get("/items/free")  # each check may be the re-probe
                time.sleep(0.05)
            assert limiter.health().status == "ok"
            after = [client.get("/items/").status_code for _ in range(3)]
        finally:
            restarted.stop()
    assert during_outage == [200, 200, 429]
    assert after == [200, 200, 429]
