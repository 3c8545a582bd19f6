"""The PostgreSQL outbox on a real server (a database of its own), relayed to a real Redis."""

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from typing import Any

import psycopg
import pytest
import redis.asyncio as aioredis
from _support import RedisServer, eventually, kill_worker, read_step, start_worker, stream_entries
from psycopg.rows import dict_row

from lexigram.cqrs import Envelope, Event, EventCatalog, OutboxRelay, OutboxStore, integration_event
from lexigram.cqrs.postgres import PostgresOutbox
from lexigram.cqrs.redis import RedisStreamTransport

pytestmark = [pytest.mark.extra("postgres"), pytest.mark.extra("redis")]


@integration_event("worker.tick")  # the event of stream_worker.py
@dataclasses.dataclass(frozen=True)
class Tick(Event):
    n: int


CATALOG = EventCatalog([Tick])


@pytest.fixture
async def connection(postgres_database: str) -> AsyncIterator[psycopg.AsyncConnection[object]]:
    made = await psycopg.AsyncConnection.connect(postgres_database)
    outbox = PostgresOutbox(postgres_database, catalog=CATALOG)
    async with made.transaction():
        await outbox.install(made)
        await made.execute("CREATE TABLE IF NOT EXISTS ticks (n INTEGER)")
        await made.execute("TRUNCATE lexigram_outbox, ticks")
    yield made
    await made.close()


@pytest.fixture
async def outbox(postgres_database: str) -> AsyncIterator[PostgresOutbox]:
    made = PostgresOutbox(postgres_database, catalog=CATALOG)
    yield made
    await made.close()


async def write(connection: psycopg.AsyncConnection[object], *ticks: Tick) -> None:
    outbox = PostgresOutbox(catalog=CATALOG)
    async with connection.transaction():
        for tick in ticks:
            await connection.execute("INSERT INTO ticks VALUES (%s)", (tick.n,))
            await outbox.add(connection, tick)


class Sink:
    def __init__(self) -> None:
        self.sent: list[Envelope] = []

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        self.sent.extend(envelopes)


def test_postgres_outbox_satisfies_the_store_protocol(outbox: PostgresOutbox) -> None:
    store: OutboxStore = outbox
    assert isinstance(store, OutboxStore)


async def test_committed_events_are_relayed_to_redis_once(
    connection: psycopg.AsyncConnection[object],
    outbox: PostgresOutbox,
    redis_server: RedisServer,
    stream_name: str,
) -> None:
    await write(connection, Tick(1), Tick(2))
    transport = RedisStreamTransport(url=redis_server.url, stream=stream_name)
    try:
        assert await OutboxRelay(outbox, transport).relay_pending() == 2
        assert await OutboxRelay(outbox, transport).relay_pending() == 0
        data = [
            fields[b"data"] for _, fields in await stream_entries(transport.client, stream_name)
        ]
    finally:
        await transport.aclose()
    assert data == [b'{"n":1}', b'{"n":2}']


async def test_a_rolled_back_transaction_leaves_no_event(
    connection: psycopg.AsyncConnection[object], outbox: PostgresOutbox
) -> None:
    async def fail_after_adding() -> None:
        async with connection.transaction():
            await PostgresOutbox(catalog=CATALOG).add(connection, Tick(1))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await fail_after_adding()
    assert await outbox.pending_count() == 0


async def test_add_in_autocommit_mode_outside_a_transaction_is_refused(
    postgres_database: str,
) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_database, autocommit=True) as conn:
        with pytest.raises(RuntimeError, match=r"connection\.transaction\(\)"):
            await PostgresOutbox(catalog=CATALOG).add(conn, Tick(1))


async def test_a_second_relay_skips_the_rows_a_first_one_holds(
    connection: psycopg.AsyncConnection[object], postgres_database: str
) -> None:
    await write(connection, *(Tick(i) for i in range(4)))
    first = PostgresOutbox(postgres_database, catalog=CATALOG)
    second = PostgresOutbox(postgres_database, catalog=CATALOG)
    holding = asyncio.Event()
    release = asyncio.Event()
    held: list[Envelope] = []

    async def slow_send(envelopes: Sequence[Envelope]) -> None:
        held.extend(envelopes)
        holding.set()
        await release.wait()

    sink = Sink()
    try:
        slow = asyncio.create_task(first.relay(slow_send, 2))
        await asyncio.wait_for(holding.wait(), 10)
        assert await second.relay(sink.publish, 10) == 2  # the two rows not locked
        release.set()
        assert await asyncio.wait_for(slow, 10) == 2
        assert await second.relay(sink.publish, 10) == 0
    finally:
        await first.close()
        await second.close()
    assert {e.data for e in held}.isdisjoint({e.data for e in sink.sent})
    assert len(held) + len(sink.sent) == 4


async def test_a_relay_killed_after_xadd_leaves_the_rows_for_the_next_relay(
    connection: psycopg.AsyncConnection[object],
    outbox: PostgresOutbox,
    postgres_database: str,
    redis_server: RedisServer,
    stream_name: str,
) -> None:
    await write(connection, Tick(1))
    worker = start_worker(
        "relay-hang", "postgres", postgres_database, redis_server.url, stream_name
    )
    try:
        read_step(worker, "sent")
    finally:
        kill_worker(worker)  # its transaction dies with it: the row lock is released
    client = aioredis.Redis.from_url(redis_server.url)
    transport = RedisStreamTransport(client, stream=stream_name)
    try:
        await eventually(lambda: _relayed(OutboxRelay(outbox, transport)), "the second relay")
        entries = await stream_entries(client, stream_name)
    finally:
        await client.aclose()
    assert len(entries) == 2 and entries[0][1][b"id"] == entries[1][1][b"id"]
    assert await outbox.pending_count() == 0


async def _relayed(relay: OutboxRelay) -> bool:
    return await relay.relay_pending() == 1


async def test_purge_deletes_relayed_rows(
    connection: psycopg.AsyncConnection[object], outbox: PostgresOutbox
) -> None:
    await write(connection, Tick(1))
    await outbox.relay(Sink().publish, 10)
    await write(connection, Tick(2))
    assert await outbox.purge(older_than=0.0) == 1
    assert await outbox.pending_count() == 1


class DictRowConnections:
    """A connection source whose connections return dict rows (as an application's may)."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        async with await psycopg.AsyncConnection.connect(
            self.conninfo, row_factory=dict_row
        ) as connection:
            yield connection


async def test_the_outbox_works_on_connections_with_a_dict_row_factory(
    connection: psycopg.AsyncConnection[object], postgres_database: str
) -> None:
    await write(connection, Tick(1))
    outbox = PostgresOutbox(DictRowConnections(postgres_database), catalog=CATALOG)
    sink = Sink()
    assert await outbox.relay(sink.publish, 10) == 1
    assert await outbox.pending_count() == 0
