"""The SQLite outbox relayed to a real Redis stream, with the relay's processes killed."""

import asyncio
import dataclasses
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from _support import RedisServer, eventually, kill_worker, read_step, start_worker, stream_entries

from lexigram.cqrs import (
    Event,
    EventBus,
    EventCatalog,
    HandlerRegistry,
    OutboxRelay,
    SQLiteOutbox,
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


CATALOG = EventCatalog([Tick])


@pytest.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    made = aioredis.Redis.from_url(redis_server.url)
    yield made
    await made.aclose()


async def test_an_event_committed_by_a_killed_process_is_relayed_by_the_next_relay(
    client: aioredis.Redis, redis_server: RedisServer, stream_name: str, tmp_path: Path
) -> None:
    database = str(tmp_path / "app.db")
    worker = start_worker("outbox-commit", database)
    try:
        read_step(worker, "committed")
    finally:
        kill_worker(worker)  # committed, never relayed
    outbox = await SQLiteOutbox.open(database, catalog=CATALOG)
    transport = RedisStreamTransport(client, stream=stream_name)
    try:
        assert await OutboxRelay(outbox, transport).relay_pending() == 1
    finally:
        await outbox.close()
    ((_, fields),) = await stream_entries(client, stream_name)
    assert (fields[b"name"], fields[b"data"]) == (b"worker.tick", b'{"n":1}')


async def test_a_relay_killed_between_xadd_and_marking_sends_again_and_it_is_applied_once(
    client: aioredis.Redis, redis_server: RedisServer, stream_name: str, tmp_path: Path
) -> None:
    database = str(tmp_path / "app.db")
    writer = start_worker("outbox-commit", database)
    try:
        read_step(writer, "committed")
    finally:
        kill_worker(writer)
    relay = start_worker("relay-hang", "sqlite", database, redis_server.url, stream_name)
    try:
        read_step(relay, "sent")
    finally:
        kill_worker(relay)  # in the stream, not marked relayed: sent again below
    outbox = await SQLiteOutbox.open(database, catalog=CATALOG, lease=0.5)
    transport = RedisStreamTransport(client, stream=stream_name, claim_idle=0.5, block=0.2)
    try:
        await eventually(lambda: _relayed(OutboxRelay(outbox, transport)), "the lease to expire")
    finally:
        await outbox.close()
    entries = await stream_entries(client, stream_name)
    assert len(entries) == 2 and entries[0][1][b"id"] == entries[1][1][b"id"]

    seen = RedisIdempotency(client, prefix=f"{stream_name}:applied:")
    applied: list[int] = []

    @event_handler(Tick)
    async def apply(event: Tick) -> None:
        async with seen.once(idempotency_key(event)) as first:
            if first:
                applied.append(event.n)

    stop = asyncio.Event()
    bus = EventBus(HandlerRegistry([apply]), transport=transport)
    consumer = asyncio.create_task(transport.consume(bus.receive, group="g", stop=stop))
    try:
        await eventually(lambda: _all_acked(client, stream_name), "both copies handled")
    finally:
        stop.set()
        await asyncio.wait_for(consumer, 10)
    assert applied == [1]


async def _relayed(relay: OutboxRelay) -> bool:
    return await relay.relay_pending() == 1


async def _all_acked(client: aioredis.Redis, stream: str) -> bool:
    groups = await client.xinfo_groups(stream)
    return bool(groups) and groups[0]["pending"] == 0 and groups[0]["entries-read"] == 2


async def test_outbox_rows_wait_while_redis_is_down_and_go_when_it_is_back(
    own_redis_server: RedisServer,
    stream_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "lexigram.cqrs.outbox")
    database = tmp_path / "app.db"
    outbox = await SQLiteOutbox.open(str(database), catalog=CATALOG)
    transport = RedisStreamTransport(url=own_redis_server.url, stream=stream_name, timeout=0.3)
    relay = OutboxRelay(outbox, transport, interval=0.05, max_backoff=0.1)
    own_redis_server.kill()
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        _write_tick(database)
        await eventually(lambda: "a pass failed" in caplog.text, "a failed relay pass")
        assert await outbox.pending_count() == 1
        own_redis_server.start()
        await eventually(lambda: _pending(outbox, 0), "the row to be relayed")
        assert await transport.client.xlen(stream_name) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await outbox.close()
        await transport.aclose()


def _write_tick(database: Path) -> None:
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    SQLiteOutbox(catalog=CATALOG).add(connection, Tick(9))
    connection.execute("COMMIT")
    connection.close()


async def _pending(outbox: SQLiteOutbox, count: int) -> bool:
    return await outbox.pending_count() == count
