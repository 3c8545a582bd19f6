"""A process the fault tests kill with SIGKILL at a known step (it prints each step).

``python stream_worker.py consume URL STREAM GROUP after-effect|before-effect``
    consumes ``worker.tick`` events; the handler applies its effect (``INCR <stream>:effects``)
    once per idempotency key, then hangs before the acknowledgement (``after-effect``), or
    hangs before applying it (``before-effect``).
``python stream_worker.py outbox-commit SQLITE_PATH``
    commits a change and its event to the outbox, then hangs before any relay ran.
``python stream_worker.py relay-hang sqlite|postgres DATABASE URL STREAM``
    relays the outbox to the stream, then hangs before marking the rows relayed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import sys
from collections.abc import Sequence

import redis.asyncio as aioredis

from lexigram.cqrs import (
    Envelope,
    Event,
    EventBus,
    EventCatalog,
    HandlerRegistry,
    OutboxStore,
    SQLiteOutbox,
    event_handler,
    idempotency_key,
    integration_event,
)
from lexigram.cqrs.redis import RedisIdempotency, RedisStreamTransport


@integration_event("worker.tick")
@dataclasses.dataclass(frozen=True)
class Tick(Event):
    n: int


CATALOG = EventCatalog([Tick])
CLAIM_IDLE = 0.5


def step(name: str) -> None:
    print(name, flush=True)


async def hang() -> None:
    await asyncio.Event().wait()


async def consume(url: str, stream: str, group: str, mode: str) -> None:
    client = aioredis.Redis.from_url(url)
    seen = RedisIdempotency(client, lease=CLAIM_IDLE / 2)

    @event_handler(Tick)
    async def apply(event: Tick) -> None:
        async with seen.once(f"effects:{idempotency_key(event)}") as first:
            if mode == "before-effect":
                step("handling")
                await hang()
            if first:
                await client.incr(f"{stream}:effects")
        step("applied")
        await hang()  # killed here: applied, never acknowledged

    transport = RedisStreamTransport(client, stream=stream, claim_idle=CLAIM_IDLE)
    bus = EventBus(HandlerRegistry([apply]), transport=transport)
    step("consuming")
    await transport.consume(bus.receive, group=group, consumer="doomed", stop=asyncio.Event())


def outbox_commit(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    outbox = SQLiteOutbox(catalog=CATALOG)
    outbox.install(connection)
    connection.execute("CREATE TABLE IF NOT EXISTS ticks (n INTEGER)")
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO ticks VALUES (1)")
    outbox.add(connection, Tick(1))
    connection.execute("COMMIT")
    step("committed")


async def relay_hang(kind: str, database: str, url: str, stream: str) -> None:
    transport = RedisStreamTransport(url=url, stream=stream)
    store: OutboxStore
    if kind == "sqlite":
        store = await SQLiteOutbox.open(database, catalog=CATALOG, lease=CLAIM_IDLE)
    else:
        from lexigram.cqrs.postgres import PostgresOutbox

        store = PostgresOutbox(database, catalog=CATALOG)

    async def send_then_hang(envelopes: Sequence[Envelope]) -> None:
        await transport.publish(envelopes)
        step("sent")
        await hang()  # killed here: in the stream, not marked relayed

    await store.relay(send_then_hang, 100)


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "consume":
        asyncio.run(consume(*args))
    elif command == "outbox-commit":
        outbox_commit(*args)
        asyncio.run(hang())
    elif command == "relay-hang":
        asyncio.run(relay_hang(*args))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
