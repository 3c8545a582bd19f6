"""The SQLite outbox: written in the transaction of the change, relayed once, in order."""

import asyncio
import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from _support import eventually

from lexigram.cqrs import (
    Envelope,
    Event,
    EventCatalog,
    OutboxRelay,
    OutboxStore,
    SQLiteOutbox,
    integration_event,
    metadata_of,
)


@integration_event("accounts.opened")
@dataclasses.dataclass(frozen=True)
class AccountOpened(Event):
    account_id: int


CATALOG = EventCatalog([AccountOpened])
T = TypeVar("T")


class Sink:
    """Collects what a relay sends; ``fail`` makes it refuse (the transport is down)."""

    def __init__(self) -> None:
        self.sent: list[Envelope] = []
        self.fail = False
        self.attempts = 0

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        self.attempts += 1
        if self.fail:
            raise ConnectionError("the transport is down")
        self.sent.extend(envelopes)

    async def consume(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[SQLiteOutbox]:
    made = await SQLiteOutbox.open(str(tmp_path / "app.db"), catalog=CATALOG, lease=0.2)
    yield made
    await made.close()


def write(path: Path, *events: Event, commit: bool = True) -> None:
    """The application's side: a change and its events in one transaction."""
    connection = sqlite3.connect(path, isolation_level=None)
    outbox = SQLiteOutbox(catalog=CATALOG)  # add() runs on the caller's connection
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY)")
        connection.execute("BEGIN IMMEDIATE")
        for event in events:
            assert isinstance(event, AccountOpened)
            connection.execute("INSERT INTO accounts (id) VALUES (?)", (event.account_id,))
            outbox.add(connection, event)
        connection.execute("COMMIT" if commit else "ROLLBACK")
    finally:
        connection.close()


def test_sqlite_outbox_satisfies_the_store_protocol(outbox: SQLiteOutbox) -> None:
    store: OutboxStore = outbox
    assert isinstance(store, OutboxStore)


async def test_committed_events_are_relayed_once_in_order(
    outbox: SQLiteOutbox, tmp_path: Path
) -> None:
    events = [AccountOpened(1), AccountOpened(2), AccountOpened(3)]
    write(tmp_path / "app.db", *events)
    sink = Sink()
    assert await outbox.relay(sink.publish, 10) == 3
    assert await outbox.relay(sink.publish, 10) == 0
    assert [e.message_id for e in sink.sent] == [metadata_of(e).message_id for e in events]
    assert [CATALOG.decode(e) for e in sink.sent] == events
    assert await outbox.pending_count() == 0


async def test_a_rolled_back_transaction_leaves_no_event(
    outbox: SQLiteOutbox, tmp_path: Path
) -> None:
    write(tmp_path / "app.db", AccountOpened(1), commit=False)
    assert await outbox.relay(Sink().publish, 10) == 0


def test_add_outside_a_transaction_is_refused(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    outbox = SQLiteOutbox(catalog=CATALOG)
    outbox.install(connection)
    with pytest.raises(RuntimeError, match="between BEGIN and COMMIT"):
        outbox.add(connection, AccountOpened(1))
    connection.close()


async def test_rows_stay_when_the_transport_fails_and_go_on_the_next_pass(
    outbox: SQLiteOutbox, tmp_path: Path
) -> None:
    write(tmp_path / "app.db", AccountOpened(1))
    sink = Sink()
    sink.fail = True
    with pytest.raises(ConnectionError):
        await outbox.relay(sink.publish, 10)
    sink.fail = False
    assert await outbox.relay(sink.publish, 10) == 1
    assert len(sink.sent) == 1


async def test_two_relays_on_one_file_send_each_row_once(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    first = await SQLiteOutbox.open(str(path), catalog=CATALOG)
    second = await SQLiteOutbox.open(str(path), catalog=CATALOG)
    write(path, *(AccountOpened(i) for i in range(60)))
    sink = Sink()

    async def drain(outbox: SQLiteOutbox) -> None:
        for _ in range(60):  # bounded: each pass sends at least one row until none is left
            if not await outbox.relay(sink.publish, 7):
                return
            await asyncio.sleep(0)

    try:
        await asyncio.gather(drain(first), drain(second))
    finally:
        await first.close()
        await second.close()
    ids = [e.message_id for e in sink.sent]
    assert len(ids) == 60 and len(set(ids)) == 60


async def test_purge_deletes_only_relayed_rows(outbox: SQLiteOutbox, tmp_path: Path) -> None:
    write(tmp_path / "app.db", AccountOpened(1))
    await outbox.relay(Sink().publish, 10)
    write(tmp_path / "app.db", AccountOpened(2))
    assert await outbox.purge(older_than=0.0) == 1
    assert await outbox.pending_count() == 1


async def test_the_relay_runs_on_wake_and_stops(outbox: SQLiteOutbox, tmp_path: Path) -> None:
    sink = Sink()
    relay = OutboxRelay(outbox, sink, interval=60.0)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    write(tmp_path / "app.db", AccountOpened(1))
    relay.wake()
    await eventually(lambda: len(sink.sent) == 1, "the relay to send the row")
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_the_relay_retries_until_the_transport_is_back(
    outbox: SQLiteOutbox, tmp_path: Path
) -> None:
    sink = Sink()
    sink.fail = True
    relay = OutboxRelay(outbox, sink, interval=0.05, max_backoff=0.1)
    stop = asyncio.Event()
    write(tmp_path / "app.db", AccountOpened(1), AccountOpened(2))
    task = asyncio.create_task(relay.run(stop))
    await eventually(lambda: sink.attempts >= 3, "three failing passes")
    assert sink.sent == []
    sink.fail = False
    await eventually(lambda: len(sink.sent) == 2, "the relay to send after the outage")
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_relay_pending_drains_every_batch(outbox: SQLiteOutbox, tmp_path: Path) -> None:
    write(tmp_path / "app.db", *(AccountOpened(i) for i in range(25)))
    sink = Sink()
    assert await OutboxRelay(outbox, sink, batch_size=10).relay_pending() == 25
    assert len(sink.sent) == 25


def test_a_table_name_must_be_an_identifier() -> None:
    with pytest.raises(ValueError, match="identifier"):
        SQLiteOutbox(catalog=CATALOG, table="x; DROP TABLE y")


async def test_the_outbox_works_on_a_connection_with_a_dict_row_factory(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
    connection.row_factory = lambda cursor, row: dict(
        zip([c[0] for c in cursor.description], row, strict=True)
    )

    async def run(work: Callable[[sqlite3.Connection], T]) -> T:
        return work(connection)

    outbox = SQLiteOutbox(run, catalog=CATALOG)
    outbox.install(connection)
    write(tmp_path / "app.db", AccountOpened(1))
    sink = Sink()
    assert await outbox.relay(sink.publish, 10) == 1
    assert await outbox.pending_count() == 0
    connection.close()
