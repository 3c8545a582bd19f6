"""Rate limits through ``RateLimiterProtocol``, with a small in-test limiter."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from lexigram.web import (
    ConfigurationError,
    Controller,
    LexigramApp,
    RateLimiterProtocol,
    get,
    rate_limit,
    throttle,
)
from lexigram.web.testing import AsyncTestClient


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float


class CountingPolicy:
    def __init__(self, limit: int, log: list[tuple[str, int]]) -> None:
        self.limit = limit
        self.log = log
        self.hits: dict[str, int] = {}

    async def hit(self, key: str, cost: int = 1) -> Decision:
        self.log.append((key, cost))
        used = self.hits.get(key, 0) + cost
        self.hits[key] = used
        allowed = used <= self.limit
        return Decision(
            allowed, self.limit, max(self.limit - used, 0), 60.0, 0.0 if allowed else 30.0
        )

    def headers(self, decision: Any) -> list[tuple[str, str]]:
        headers = [
            ("RateLimit-Limit", str(decision.limit)),
            ("RateLimit-Remaining", str(decision.remaining)),
        ]
        if not decision.allowed:
            headers.append(("Retry-After", str(int(decision.retry_after))))
        return headers


class Limiter:
    """Satisfies ``RateLimiterProtocol``: rates are ``"<n>/minute"``."""

    def __init__(self, default_rate: str | None = None, exclude: Sequence[str] = ()) -> None:
        self.default_rate = default_rate
        self.exclude = exclude
        self.per_process = False
        self.log: list[tuple[str, int]] = []
        self.policies: list[str] = []

    def policy(self, rate: str) -> CountingPolicy:
        count, _, period = rate.partition("/")
        if not count.isdigit() or period != "minute":
            raise ValueError(f"bad rate {rate!r}")
        self.policies.append(rate)
        return CountingPolicy(int(count), self.log)


def make_app(limiter: Limiter, **options: Any) -> LexigramApp:
    app = LexigramApp(**options)
    app.container.singleton(RateLimiterProtocol, instance=limiter)
    return app


async def test_throttle_answers_429_problem_with_policy_headers() -> None:
    limiter = Limiter()
    app = make_app(limiter)

    @app.get("/search")
    @throttle("2/minute", by="ip")
    async def search() -> str:
        return "ok"

    async with AsyncTestClient(app) as client:
        answers = [await client.get("/search") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["ratelimit-remaining"] == "1"
    denied = answers[2]
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.json()["status"] == 429
    assert denied.headers["retry-after"] == "30"


async def test_policy_is_created_once_per_route_at_startup() -> None:
    limiter = Limiter()
    app = make_app(limiter)

    @app.get("/a")
    @throttle("5/minute")
    async def a() -> None:
        return None

    async with AsyncTestClient(app) as client:
        for _ in range(3):
            await client.get("/a")
    assert limiter.policies == ["5/minute"]


async def test_throttle_keys_by_user_ip_endpoint_or_custom_function() -> None:
    limiter = Limiter()
    app = make_app(limiter)

    @app.get("/user")
    @throttle("9/minute")
    async def user() -> None:
        return None

    @app.get("/ip")
    @throttle("9/minute", by="ip")
    async def ip() -> None:
        return None

    @app.get("/endpoint")
    @rate_limit("9/minute", by="endpoint", cost=3)
    async def endpoint() -> None:
        return None

    @app.get("/custom")
    @throttle("9/minute", key=lambda request: request.headers["x-tenant"])
    async def custom() -> None:
        return None

    async with AsyncTestClient(app) as client:
        for path in ("/user", "/ip", "/endpoint"):
            await client.get(path)
        await client.get("/custom", headers={"X-Tenant": "acme"})
    assert limiter.log == [
        ("GET /user:ip:127.0.0.1", 1),
        ("GET /ip:ip:127.0.0.1", 1),
        ("GET /endpoint", 3),
        ("GET /custom:key:acme", 1),
    ]


async def test_throttle_by_user_uses_the_user_id() -> None:
    limiter = Limiter()
    app = make_app(limiter)

    @app.get("/u")
    @throttle("9/minute")
    async def u() -> None:
        return None

    app.add_middleware(lambda inner: _with_user(inner, {"id": 7}))
    async with AsyncTestClient(app) as client:
        await client.get("/u")
    assert limiter.log == [("GET /u:user:7", 1)]


def _with_user(inner: Any, user: Any) -> Any:
    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        scope["user"] = user
        await inner(scope, receive, send)

    return middleware


async def test_throttle_on_a_controller_limits_every_handler() -> None:
    limiter = Limiter()

    @throttle("1/minute", by="endpoint")
    class Limited(Controller):
        @get("/one")
        async def one(self) -> None:
            return None

    app = make_app(limiter, controllers=[Limited])
    async with AsyncTestClient(app) as client:
        assert [(await client.get("/one")).status_code for _ in range(2)] == [204, 429]


async def test_default_rate_applies_to_routes_without_their_own_limit() -> None:
    limiter = Limiter(default_rate="1/minute", exclude=["/health"])
    app = make_app(limiter)

    @app.get("/plain")
    async def plain() -> None:
        return None

    @app.get("/health")
    async def health() -> None:
        return None

    @app.get("/own")
    @throttle("5/minute", by="ip")
    async def own() -> None:
        return None

    async with AsyncTestClient(app) as client:
        plain_codes = [(await client.get("/plain")).status_code for _ in range(2)]
        health_codes = [(await client.get("/health")).status_code for _ in range(2)]
        own_codes = [(await client.get("/own")).status_code for _ in range(2)]
    assert plain_codes == [204, 429]
    assert health_codes == [204, 204]
    assert own_codes == [204, 204]


async def test_throttle_without_a_limiter_fails_at_startup_naming_the_fix() -> None:
    app = LexigramApp()

    @app.get("/x")
    @throttle("1/minute")
    async def x() -> None:
        return None

    with pytest.raises(ConfigurationError, match=r'pip install "lexigram-web\[ratelimit\]"'):
        await app.startup()


async def test_invalid_rate_fails_at_startup() -> None:
    app = make_app(Limiter())

    @app.get("/x")
    @throttle("lots")
    async def x() -> None:
        return None

    with pytest.raises(ConfigurationError, match="invalid rate 'lots'"):
        await app.startup()


async def test_a_limiter_registered_under_its_own_class_is_found_structurally() -> None:
    limiter = Limiter()
    app = LexigramApp()
    app.container.singleton(Limiter, instance=limiter)

    @app.get("/x")
    @throttle("1/minute", by="ip")
    async def x() -> None:
        return None

    async with AsyncTestClient(app) as client:
        codes = [(await client.get("/x")).status_code for _ in range(2)]
    assert codes == [204, 429]


async def test_two_limiter_lookalikes_are_ambiguous_at_startup() -> None:
    class OtherLimiter(Limiter):
        pass

    app = LexigramApp()
    app.container.singleton(Limiter, instance=Limiter())
    app.container.singleton(OtherLimiter, instance=OtherLimiter())

    @app.get("/x")
    @throttle("1/minute")
    async def x() -> None:
        return None

    with pytest.raises(
        ConfigurationError, match="several registered services satisfy RateLimiterProtocol"
    ):
        await app.startup()
