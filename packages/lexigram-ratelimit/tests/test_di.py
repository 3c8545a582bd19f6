"""RateLimitModule / RateLimitProvider in a lexigram-di Application."""

from typing import Any

import pytest

from lexigram.di import Application, BootError, Container, HealthStatus
from lexigram.ratelimit import MemoryBackend, RateLimiter, RateLimitMiddleware
from lexigram.ratelimit.di import RateLimitModule, RateLimitOptions, RateLimitProvider

pytestmark = pytest.mark.extra("di")


async def test_the_module_registers_the_limiter_under_its_class() -> None:
    module = RateLimitModule.configure(backend="memory", default_limit="100 per minute")
    async with Application.boot(modules=[module]) as app:
        limiter = app.container.resolve(RateLimiter)
        assert limiter.default_rate == "100/minute"
        assert limiter.is_excluded("/health")
        assert isinstance(limiter.backend, MemoryBackend)


async def test_the_default_limit_is_enforced_on_a_plain_asgi_app() -> None:
    async def hello(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    statuses: list[int] = []

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async with Application.boot(
        modules=[RateLimitModule.configure(default_limit="1/minute")]
    ) as app:
        asgi = RateLimitMiddleware(hello, app.container.resolve(RateLimiter))
        for path in ("/a", "/b", "/health"):
            scope: dict[str, Any] = {
                "type": "http",
                "path": path,
                "headers": [],
                "client": ("1.2.3.4", 1),
            }
            await asgi(scope, _receive, send)
    assert statuses == [200, 429, 200]


async def _receive() -> Any:
    return {"type": "http.request", "body": b""}


async def test_a_disabled_provider_registers_nothing() -> None:
    async with Application.boot(providers=[RateLimitProvider(enabled=False)]) as app:
        assert not app.container.has(RateLimiter)
        report = await app.health_check()
        assert report.status is HealthStatus.HEALTHY


async def test_the_memory_backend_is_healthy() -> None:
    provider = RateLimitProvider()
    async with Application.boot(providers=[provider]):
        result = await provider.health_check(1.0)
    assert result.status is HealthStatus.HEALTHY
    assert result.details["backend"] == "memory"


def test_options_are_validated_when_configured() -> None:
    with pytest.raises(ValueError, match="'<count>/<period>'"):
        RateLimitModule.configure(default_limit="often")
    with pytest.raises(ValueError, match="backend='redis'"):
        RateLimitModule.configure(backend="memory", redis_url="redis://localhost")
    with pytest.raises(ValueError, match="'open', 'closed' or 'memory'"):
        RateLimitModule.configure(on_backend_error="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'sliding_log'"):
        RateLimitModule.configure(algorithm="leaky")  # type: ignore[arg-type]


def test_an_unknown_option_is_refused_naming_the_options() -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) default_rate; the options are"):
        RateLimitModule.configure(default_rate="5/minute")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"RateLimitProvider\(\) got unknown option\(s\) rate"):
        RateLimitProvider(rate="5/minute")  # type: ignore[call-arg]


def test_the_module_and_the_provider_accept_the_same_options() -> None:
    options: RateLimitOptions = {
        "backend": "memory",
        "default_limit": "3/second",
        "exclude": ("/internal",),
        "algorithm": "gcra",
        "headers": "draft06",
        "headers_on_allowed": False,
        "on_backend_error": "closed",
        "key_prefix": "app:",
        "timeout": 0.5,
    }
    provider = RateLimitModule.configure(enabled=False, **options).meta.providers[0]
    direct = RateLimitProvider(None, False, **options)
    assert isinstance(provider, RateLimitProvider)
    assert provider.options == direct.options
    assert (provider.key_prefix, provider.timeout, provider.enabled) == ("app:", 0.5, False)
    assert provider.options["exclude"] == ("/internal",)


def test_the_stub_uses_the_memory_backend() -> None:
    module = RateLimitModule.stub(default_limit="5/minute", redis_url="redis://ignored")
    provider = module.meta.providers[0]
    assert isinstance(provider, RateLimitProvider)
    assert provider.backend_name == "memory"


async def test_the_module_wires_into_a_given_container() -> None:
    container = Container()
    module = RateLimitModule.configure(default_limit="10/second;100/minute")
    async with Application.boot(modules=[module], container=container):
        policy = container.resolve(RateLimiter).default_policy
        assert policy is not None
        assert len(policy.rate.items) == 2


# -- with Redis ----------------------------------------------------------------------------


@pytest.mark.extra("redis")
async def test_a_url_client_is_opened_checked_and_closed(redis_server: Any) -> None:
    provider = RateLimitProvider(redis_url=redis_server.url, default_limit="2/minute")
    async with Application.boot(providers=[provider]) as app:
        limiter = app.container.resolve(RateLimiter)
        backend: Any = limiter.backend
        policy = limiter.default_policy
        assert policy is not None
        assert (await policy.hit("di-url")).allowed
        result = await provider.health_check(1.0)
    assert result.status is HealthStatus.HEALTHY
    assert result.details == {"backend": "redis", "on_backend_error": "open", "state": "ok"}
    assert backend.client is None


@pytest.mark.extra("redis")
async def test_a_given_client_is_not_closed_on_shutdown(redis_server: Any) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_server.url)
    async with Application.boot(modules=[RateLimitModule.configure(redis_client=client)]):
        pass
    assert await client.ping()
    await client.aclose()


@pytest.mark.extra("redis")
async def test_a_client_registered_in_the_container_is_used_at_boot(redis_server: Any) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_server.url)
    container = Container()
    container.singleton(aioredis.Redis, instance=client)
    module = RateLimitModule.configure(backend="redis", on_backend_error="closed")
    async with Application.boot(modules=[module], container=container) as app:
        limiter = app.container.resolve(RateLimiter)
        decision = await limiter.policy("3/minute").hit("di-container")
        assert decision.allowed
        assert limiter.health().healthy
    assert await client.ping()
    await client.aclose()


@pytest.mark.extra("redis")
async def test_boot_fails_naming_the_fix_when_no_client_is_found() -> None:
    module = RateLimitModule.configure(backend="redis")
    with pytest.raises(BootError, match=r"redis_url=.*container\.singleton\(redis\.asyncio\.Redis"):
        await Application(modules=[module]).start()


@pytest.mark.extra("redis")
@pytest.mark.parametrize(
    ("policy", "status"),
    [("open", HealthStatus.DEGRADED), ("memory", HealthStatus.DEGRADED),
     ("closed", HealthStatus.UNHEALTHY)],
)  # fmt: skip
async def test_health_reports_a_dead_redis_by_failure_policy(
    own_redis_server: Any, policy: Any, status: HealthStatus
) -> None:
    provider = RateLimitProvider(redis_url=own_redis_server.url, on_backend_error=policy)
    async with Application.boot(providers=[provider]) as app:
        own_redis_server.stop()
        limiter = app.container.resolve(RateLimiter)
        await limiter.policy("1/minute").hit("k")
        result = await provider.health_check(1.0)
    assert result.status is status
    assert "does not answer" in result.message
    assert result.details["last_error"]
