"""Effect checks of the scale-out settings: the ``broadcast`` section (its Redis settings
against real redis-servers of the check's own) and the refusal of rate limits counted per
worker (``production``, ``allow_per_worker_rate_limits``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import ExitStack, asynccontextmanager, contextmanager
from typing import Any

import pytest
from _redis import RedisServer, serve_redis
from _waiting import DEADLINE, until
from config_effects_probe import Check, Env, config
from workers_fixture_app import PerProcessLimiter

from lexigram.web import (
    Broadcaster,
    BroadcastOverflowError,
    BroadcastUnavailableError,
    ConfigurationError,
    LexigramApp,
    MemoryBroadcaster,
    RateLimiterProtocol,
)

"""Generous: only detects a hang."""


@contextmanager
def redis_servers(count: int = 1) -> Iterator[list[RedisServer]]:
    """``count`` redis-servers, each on a free loopback port, stopped on exit."""
    with ExitStack() as stack:
        yield [stack.enter_context(contextmanager(serve_redis)()) for _ in range(count)]


def on_redis(server: RedisServer, **settings: Any) -> dict[str, Any]:
    """The settings of a Redis broadcaster on ``server`` (``settings`` by their names in the
    ``broadcast`` section)."""
    extra = {f"broadcast.{name}": value for name, value in settings.items()}
    return {"broadcast.backend": "redis", "broadcast.url": server.url, **extra}


@asynccontextmanager
async def started(settings: Mapping[str, Any] | None = None) -> AsyncIterator[Broadcaster]:
    """The broadcaster of a started app configured by ``settings``."""
    async with LexigramApp(config=config(settings)).lifespan() as app:
        assert app.broadcaster is not None
        yield app.broadcaster


def link_up(broadcaster: Broadcaster) -> Callable[[], bool]:
    """Whether the Redis broadcaster's subscriber connection is up."""
    return lambda: bool(getattr(broadcaster, "connected", False))


# -- backend, url, channel_prefix: where messages go -------------------------------------------
async def _first_message_on_b(settings: Mapping[str, Any]) -> tuple[type[Broadcaster], bytes]:
    """Two apps under ``settings``: app b follows "orders", app a publishes on it, then b
    does. The kind of broadcaster, and the first message b's subscriber gets."""
    async with started(settings) as a, started(settings) as b, b.subscribe("orders") as got:
        await a.publish("orders", b"from a")
        await b.publish("orders", b"from b")
        async with asyncio.timeout(DEADLINE):
            return type(b), await anext(aiter(got))


async def broadcast_backend(env: Env) -> None:
    from lexigram.web.redis import RedisBroadcaster

    with redis_servers() as (server,):
        assert await _first_message_on_b({}) == (MemoryBroadcaster, b"from b")
        assert await _first_message_on_b(on_redis(server)) == (RedisBroadcaster, b"from a")


async def broadcast_url(env: Env) -> None:
    with redis_servers(2) as (one, two):

        async def channels(url_of: RedisServer) -> tuple[object, object]:
            async with (
                started(on_redis(url_of)) as broadcaster,
                broadcaster.subscribe("orders"),
            ):
                return one.command("PUBSUB", "CHANNELS"), two.command("PUBSUB", "CHANNELS")

        assert await channels(one) == ([b"lexigram:orders"], [])
        assert await channels(two) == ([], [b"lexigram:orders"])


async def broadcast_channel_prefix(env: Env) -> None:
    with redis_servers() as (server,):

        async def receivers(settings: dict[str, Any]) -> tuple[int, list[bytes]]:
            """How many apps a publish reaches while a default app and one configured by
            ``settings`` follow "orders" on the same Redis; the channels Redis sees."""
            async with (
                started(on_redis(server)) as default,
                started(settings) as other,
                default.subscribe("orders"),
                other.subscribe("orders"),
            ):
                seen = server.command("PUBSUB", "CHANNELS")
                assert isinstance(seen, list)
                return await default.publish("orders", b"x"), sorted(seen)

        assert await receivers(on_redis(server)) == (2, [b"lexigram:orders"])
        shop = on_redis(server, channel_prefix="shop:")
        assert await receivers(shop) == (1, [b"lexigram:orders", b"shop:orders"])
    with pytest.raises(ValueError, match="channel_prefix only apply to backend 'redis'"):
        config({"broadcast.channel_prefix": "shop:"})


# -- queue_size, on_overflow: a slow subscriber ----------------------------------------------
async def _slow_subscriber(settings: Mapping[str, Any]) -> tuple[list[bytes], str]:
    """Five messages published to a subscriber that reads none of them meanwhile: what it
    reads afterwards, and how its iteration ended."""
    async with started(settings) as broadcaster:
        async with broadcaster.subscribe("c") as slow:
            for n in range(5):
                await broadcaster.publish("c", str(n).encode())
        received: list[bytes] = []
        try:
            async for payload in aiter(slow):
                received.append(payload)
        except BroadcastOverflowError:
            return received, "overflow"
        return received, "end"


async def broadcast_queue_size(env: Env) -> None:
    assert await _slow_subscriber({}) == ([b"0", b"1", b"2", b"3", b"4"], "end")
    assert await _slow_subscriber({"broadcast.queue_size": 2}) == ([b"3", b"4"], "end")


async def broadcast_on_overflow(env: Env) -> None:
    small = {"broadcast.queue_size": 2}
    assert await _slow_subscriber(small) == ([b"3", b"4"], "end")
    disconnect = {**small, "broadcast.on_overflow": "disconnect"}
    assert await _slow_subscriber(disconnect) == ([], "overflow")


# -- timeout, ping_interval, retry_backoff, publish_connections: the Redis links -------------
async def broadcast_timeout(env: Env) -> None:
    """A publish while Redis is frozen for a moment: the default timeout rides it out, a
    shorter one gives up first (503)."""
    with redis_servers() as (server,):
        async with (
            started(on_redis(server)) as default,
            started(on_redis(server, timeout=0.2)) as short,
        ):
            await default.publish("c", b"warm up")
            await short.publish("c", b"warm up")
            server.pause()
            try:
                patient = asyncio.ensure_future(default.publish("c", b"x"))
                async with asyncio.timeout(DEADLINE):
                    with pytest.raises(BroadcastUnavailableError):
                        await short.publish("c", b"x")
                assert not patient.done()
            finally:
                server.resume()
            async with asyncio.timeout(DEADLINE):
                assert await patient == 0


async def broadcast_ping_interval(env: Env) -> None:
    """The subscriber connection is pinged after ``ping_interval`` of silence: within the
    time a short interval takes to ping three times, the default (5s) pings never."""
    with redis_servers(2) as (quiet, chatty):
        before = quiet.calls("ping"), chatty.calls("ping")
        async with (
            started(on_redis(quiet)) as one,
            started(on_redis(chatty, ping_interval=0.05)) as other,
        ):
            await until(link_up(one), "the default link")
            await until(link_up(other), "the pinging link")
            await until(lambda: chatty.calls("ping") >= before[1] + 3, "three pings")
            assert quiet.calls("ping") == before[0]


async def broadcast_retry_backoff(env: Env) -> None:
    """After Redis comes back, the default backoff (from 0.05s) reconnects while a backoff
    of at least 2.5s is still waiting."""
    with redis_servers() as (server,):
        async with (
            started(on_redis(server)) as default,
            started(on_redis(server, retry_backoff=(5.0, 5.0))) as slow,
        ):
            both = [link_up(default), link_up(slow)]
            await until(lambda: all(up() for up in both), "both links")
            server.stop()
            await until(lambda: not any(up() for up in both), "both links to notice")
            server.start()
            await until(both[0], "the default link to reconnect")
            assert not both[1]()


async def _publish_connections(settings: Mapping[str, Any], server: RedisServer) -> int:
    """How many publish connections eight concurrent publishes open while Redis holds every
    command for a moment (``CLIENT PAUSE``)."""
    async with started(settings) as broadcaster:
        assert server.command("CLIENT", "PAUSE", "300", "ALL") == b"OK"
        async with asyncio.timeout(DEADLINE):
            await asyncio.gather(*(broadcaster.publish("c", b"x") for _ in range(8)))
        return server.client_names().count("lexigram-broadcast-pub")


async def broadcast_publish_connections(env: Env) -> None:
    with redis_servers(2) as (one, two):
        assert await _publish_connections(on_redis(one), one) == 4
        assert await _publish_connections(on_redis(two, publish_connections=1), two) == 1


# -- production, allow_per_worker_rate_limits: rate limits counted per worker ----------------
def _two_workers(env: Env, settings: Mapping[str, Any]) -> LexigramApp:
    """An app under ``settings`` whose rate limits count in memory, while two workers
    serve it."""
    for name in ("WEB_CONCURRENCY", "GRANIAN_WORKERS"):
        env.monkeypatch.delenv(name, raising=False)
    env.monkeypatch.setenv("LEXIGRAM_WORKERS", "2")
    app = LexigramApp(config=config(settings))
    app.container.singleton(RateLimiterProtocol, instance=PerProcessLimiter())
    return app


async def _starts(env: Env, settings: Mapping[str, Any]) -> None:
    async with _two_workers(env, settings).lifespan() as app:
        assert app.started


async def _refused(env: Env, settings: Mapping[str, Any]) -> None:
    app = _two_workers(env, settings)
    with pytest.raises(ConfigurationError, match=r"web\.allow_per_worker_rate_limits: true"):
        await app.startup()
    assert not app.started


async def production(env: Env) -> None:
    await _starts(env, {})
    await _refused(env, {"production": True})


async def allow_per_worker_rate_limits(env: Env) -> None:
    await _refused(env, {"production": True})
    await _starts(env, {"production": True, "allow_per_worker_rate_limits": True})


CHECKS: dict[str, Check] = {
    "broadcast.backend": broadcast_backend,
    "broadcast.url": broadcast_url,
    "broadcast.channel_prefix": broadcast_channel_prefix,
    "broadcast.queue_size": broadcast_queue_size,
    "broadcast.on_overflow": broadcast_on_overflow,
    "broadcast.timeout": broadcast_timeout,
    "broadcast.ping_interval": broadcast_ping_interval,
    "broadcast.retry_backoff": broadcast_retry_backoff,
    "broadcast.publish_connections": broadcast_publish_connections,
    "production": production,
    "allow_per_worker_rate_limits": allow_per_worker_rate_limits,
}

EXTRAS = {
    name: "redis"
    for name in CHECKS
    if name.startswith("broadcast.")
    and name not in ("broadcast.queue_size", "broadcast.on_overflow")
}
"""Checks that need an optional extra installed."""
