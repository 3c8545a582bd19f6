"""The Redis backend against a real redis-server: round trips, scripts, keys, timeouts."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from lexigram.ratelimit import Rate, RateLimiter
from lexigram.ratelimit.redis import RedisBackend, RedisLimit

RedisServer = Any  # the conftest fixture's server: .url, .port, .pause(), .resume()

pytestmark = pytest.mark.extra("redis")


# commands the scripts run on the server (counted by commandstats, never sent by the client)
INSIDE_SCRIPTS = {
    "cmdstat_time",
    "cmdstat_zremrangebyscore",
    "cmdstat_zcard",
    "cmdstat_zrange",
    "cmdstat_zadd",
    "cmdstat_pexpire",
}


async def _command_calls(client: aioredis.Redis) -> dict[str, int]:
    stats: dict[str, Any] = await client.info("commandstats")
    return {name: value["calls"] for name, value in stats.items() if name != "cmdstat_info"}


async def test_each_check_is_exactly_one_round_trip(redis_server: RedisServer) -> None:
    limiter = RateLimiter(RedisBackend(url=redis_server.url, key_prefix="rtt:"))
    policy = limiter.policy("10/second;1000/day", algorithm="sliding_log")
    stats = aioredis.Redis.from_url(redis_server.url)
    await policy.hit("warm-up")
    before = await _command_calls(stats)
    for index in range(20):
        await policy.hit(f"k{index % 3}")
    after = await _command_calls(stats)
    delta = {name: after[name] - before.get(name, 0) for name in after}
    await stats.aclose()
    await limiter.aclose()
    issued = {name for name, n in delta.items() if n} - INSIDE_SCRIPTS
    assert delta["cmdstat_evalsha"] == 20
    assert issued == {"cmdstat_evalsha"}


async def test_a_flushed_script_cache_is_reloaded(redis_server: RedisServer) -> None:
    limiter = RateLimiter(RedisBackend(url=redis_server.url, key_prefix="noscript:"))
    policy = limiter.policy("3/minute", algorithm="gcra")
    await policy.hit("k")
    admin = aioredis.Redis.from_url(redis_server.url)
    await admin.script_flush()
    second = await policy.hit("k")
    third = await policy.hit("k")
    await admin.aclose()
    await limiter.aclose()
    assert (second.remaining, third.remaining) == (1, 0)


def test_every_window_of_a_key_shares_one_cluster_slot() -> None:
    backend = RedisBackend.deferred()
    limit = backend.bind(Rate.parse("1/second;10/minute;100/day"), "fixed_window")
    for key in ("user:42", "", "}odd{", "a}b"):
        keys = limit.keys(key)
        assert len({key_slot(k.encode()) for k in keys}) == 1, keys


def test_keys_carry_the_prefix_algorithm_and_window() -> None:
    backend = RedisBackend.deferred(key_prefix="app:")
    limit = backend.bind(Rate.parse("100/minute"), "sliding_log")
    assert limit.keys("ip:1.2.3.4") == ["{app:ip:1.2.3.4}:sl:100:60"]


async def test_a_given_client_is_not_closed(redis_server: RedisServer) -> None:
    client = aioredis.Redis.from_url(redis_server.url)
    backend = RedisBackend(client)
    await backend.aclose()
    assert await client.ping()
    assert backend.client is client
    await client.aclose()


async def test_a_client_made_from_a_url_is_closed(redis_server: RedisServer) -> None:
    backend = RedisBackend(url=redis_server.url)
    await backend.ping()
    await backend.aclose()
    assert backend.client is None


def test_exactly_one_of_client_and_url_is_required() -> None:
    with pytest.raises(ValueError, match=r"client= .* or url="):
        RedisBackend()


async def test_a_deferred_backend_fails_until_a_client_is_attached(
    redis_server: RedisServer,
) -> None:
    backend = RedisBackend.deferred(key_prefix="deferred:")
    limiter = RateLimiter(backend, on_backend_error="closed")
    policy = limiter.policy("2/minute")
    before = await policy.hit("k")
    client = aioredis.Redis.from_url(redis_server.url)
    backend.attach(client)
    assert await limiter.ping()
    await client.aclose()
    assert not before.allowed
    assert "register a redis.asyncio.Redis" in str(limiter.health().last_error)


@pytest.mark.parametrize("own_client", [True, False], ids=["url", "given-client"])
async def test_a_frozen_redis_never_hangs_a_check(
    own_redis_server: RedisServer, own_client: bool
) -> None:
    given = None if own_client else aioredis.Redis.from_url(own_redis_server.url)
    backend = (
        RedisBackend(url=own_redis_server.url, timeout=0.2)
        if given is None
        else RedisBackend(given, timeout=0.2)
    )
    limiter = RateLimiter(backend, on_backend_error="open")
    policy = limiter.policy("5/minute")
    await policy.hit("k")
    own_redis_server.pause()
    try:
        started = time.monotonic()
        decisions = [await policy.hit("k") for _ in range(5)]
        elapsed = time.monotonic() - started
    finally:
        own_redis_server.resume()
    await limiter.aclose()
    if given is not None:
        await given.aclose()
    assert all(d.allowed for d in decisions)
    assert elapsed < 1.0
    assert limiter.health().status == "degraded"


async def test_a_redis_cluster_client_runs_multi_window_checks(
    tmp_path: Path, make_redis_server: Callable[..., RedisServer]
) -> None:
    server = make_redis_server(
        "--cluster-enabled", "yes", "--cluster-config-file", str(tmp_path / "nodes.conf")
    )
    try:
        admin = aioredis.Redis(port=server.port)
        command: Any = admin.execute_command
        await command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        deadline = time.monotonic() + 10
        while b"cluster_state:ok" not in await command("CLUSTER", "INFO"):
            assert time.monotonic() < deadline, "the one-node cluster did not become ready"
            await asyncio.sleep(0.02)
        await admin.aclose()
        cluster = RedisCluster(host="127.0.0.1", port=server.port)
        # a generous bound: the cluster client discovers its slots on the first call, which
        # can take longer than the default 0.25 s on a busy machine (it would then fail open)
        limiter = RateLimiter(RedisBackend(cluster, timeout=5.0), algorithm="sliding_log")
        policy = limiter.policy("2/second;3/minute")
        decisions = [await policy.hit("user:7") for _ in range(3)]
        await cluster.aclose()
    finally:
        server.stop()
    assert [d.allowed for d in decisions] == [True, True, False]
    assert limiter.health().healthy


def test_redis_limit_is_exported() -> None:
    assert RedisLimit.__name__ == "RedisLimit"


async def test_a_limiter_on_redis_counts_for_every_process(redis_server: RedisServer) -> None:
    limiter = RateLimiter(RedisBackend(url=redis_server.url, key_prefix="shared:"))
    try:
        assert limiter.per_process is False
    finally:
        await limiter.aclose()
