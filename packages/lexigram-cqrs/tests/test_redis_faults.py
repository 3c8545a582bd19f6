"""Faults, for real: a consumer killed with SIGKILL, Redis killed and restarted, Redis down."""

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from _support import RedisServer, eventually, kill_worker, read_step, start_worker

from lexigram.cqrs import (
    Event,
    EventBus,
    HandlerRegistry,
    TransportError,
    delivery_of,
    event_handler,
    idempotency_key,
    integration_event,
)
from lexigram.cqrs.redis import RedisIdempotency, RedisStreamTransport

pytestmark = pytest.mark.extra("redis")


@integration_event("worker.tick")  # the event of stream_worker.py
@dataclasses.dataclass(frozen=True)
class Tick(Event):
    n: int


@pytest.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    made = aioredis.Redis.from_url(redis_server.url)
    yield made
    await made.aclose()


@pytest.mark.parametrize("killed", ["after-effect", "before-effect"])
async def test_a_killed_consumers_message_is_claimed_by_another_and_applied_once(
    client: aioredis.Redis, redis_server: RedisServer, stream_name: str, killed: str
) -> None:
    transport = RedisStreamTransport(client, stream=stream_name, claim_idle=0.5, block=0.2)
    worker = start_worker("consume", redis_server.url, stream_name, "g", killed)
    try:
        read_step(worker, "consuming")
        await EventBus(HandlerRegistry(), transport=transport).publish(Tick(1))
        read_step(worker, "applied" if killed == "after-effect" else "handling")
    finally:
        kill_worker(worker)
    seen = RedisIdempotency(client, lease=0.25)
    attempts: list[int] = []

    @event_handler(Tick)
    async def apply(event: Tick) -> None:
        attempts.append(delivery_of(event).attempt)  # type: ignore[union-attr]
        async with seen.once(f"effects:{idempotency_key(event)}") as first:
            if first:
                await client.incr(f"{stream_name}:effects")

    stop = asyncio.Event()
    bus = EventBus(HandlerRegistry([apply]), transport=transport)
    survivor = asyncio.create_task(transport.consume(bus.receive, group="g", stop=stop))
    try:
        await eventually(lambda: attempts == [2], "the claimed redelivery")
        await eventually(lambda: _acked(client, stream_name), "its acknowledgement")
    finally:
        stop.set()
        await asyncio.wait_for(survivor, 10)
    assert await client.get(f"{stream_name}:effects") == b"1"


async def _acked(client: aioredis.Redis, stream: str) -> bool:
    return bool((await client.xpending(stream, "g"))["pending"] == 0)


async def test_the_consumer_resumes_after_redis_is_killed_and_restarted(
    own_redis_server: RedisServer, stream_name: str
) -> None:
    transport = RedisStreamTransport(
        url=own_redis_server.url, stream=stream_name, block=0.2, timeout=0.5,
        reconnect_max_backoff=0.2,
    )  # fmt: skip
    got: list[int] = []

    @event_handler(Tick)
    async def handle(event: Tick) -> None:
        got.append(event.n)

    bus = EventBus(HandlerRegistry([handle]), transport=transport)
    stop = asyncio.Event()
    consumer = asyncio.create_task(transport.consume(bus.receive, group="g", stop=stop))
    try:
        await bus.publish(Tick(1))
        await eventually(lambda: got == [1], "the first event")
        own_redis_server.kill()
        with pytest.raises(TransportError, match="Redis is down or unreachable"):
            await bus.publish(Tick(2))
        own_redis_server.start()  # same port, empty: the stream and the group are gone
        await eventually(lambda: _group_exists(transport), "the consumer to re-create its group")
        await bus.publish(Tick(3))
        await eventually(lambda: got == [1, 3], "the event after the restart")
        assert not consumer.done()
    finally:
        stop.set()
        await asyncio.wait_for(consumer, 10)
        await transport.aclose()


async def _group_exists(transport: RedisStreamTransport) -> bool:
    try:
        return len(await transport.client.xinfo_groups(transport.stream)) == 1
    except Exception:
        return False


async def test_publish_to_a_dead_redis_fails_within_the_timeout(
    own_redis_server: RedisServer, stream_name: str
) -> None:
    transport = RedisStreamTransport(url=own_redis_server.url, stream=stream_name, timeout=0.5)
    own_redis_server.kill()
    bus = EventBus(HandlerRegistry(), transport=transport)
    began = time.monotonic()
    with pytest.raises(TransportError, match=rf"{stream_name}.*outbox"):
        await bus.publish(Tick(1))
    assert time.monotonic() - began < 5.0  # bounded (generously: a loaded machine)
    await transport.aclose()


async def test_a_consumer_waiting_for_redis_stops_promptly(
    own_redis_server: RedisServer, stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport = RedisStreamTransport(
        url=own_redis_server.url, stream=stream_name, timeout=0.5, reconnect_max_backoff=30.0
    )
    own_redis_server.kill()
    caplog.set_level(logging.WARNING, "lexigram.cqrs.redis")
    stop = asyncio.Event()
    bus = EventBus(HandlerRegistry(), transport=transport)
    consumer = asyncio.create_task(transport.consume(bus.receive, group="g", stop=stop))
    await eventually(lambda: "Redis is unreachable" in caplog.text, "the outage to be logged")
    stop.set()
    await asyncio.wait_for(consumer, 5)
    await transport.aclose()


async def test_a_consumer_refused_by_redis_logs_it_and_resumes_once_it_can(
    client: aioredis.Redis, stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "lexigram.cqrs.redis")
    await client.set(stream_name, "not a stream")  # every stream command is refused (WRONGTYPE)
    transport = RedisStreamTransport(
        client, stream=stream_name, block=0.2, reconnect_max_backoff=0.1
    )
    got: list[int] = []

    @event_handler(Tick)
    async def handle(event: Tick) -> None:
        got.append(event.n)

    bus = EventBus(HandlerRegistry([handle]), transport=transport)
    stop = asyncio.Event()
    consumer = asyncio.create_task(transport.consume(bus.receive, group="g", stop=stop))
    try:
        await eventually(lambda: "Redis refused a command" in caplog.text, "the refusal")
        await client.delete(stream_name)
        await bus.publish(Tick(1))
        await eventually(lambda: got == [1], "the event once the stream can exist")
    finally:
        stop.set()
        await asyncio.wait_for(consumer, 10)
