"""``SQLiteOutbox``: the outbox in an SQLite table (stdlib ``sqlite3``).

The application's transaction calls ``SQLiteOutbox.add`` on its own connection. The
relay side runs on a *runner*: a callable that runs ``work(connection)`` off the event loop,
one call at a time (an application's ``database.run``), or a connection of the outbox's own
(``SQLiteOutbox.open``). Rows are claimed with a lease in a short ``BEGIN IMMEDIATE``
transaction, so relays in several processes sharing the file do not send a row twice unless
one dies holding a lease (the row is then sent again once the lease ran out).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from ._catalog import EventCatalog
from ._integration import Envelope
from ._messages import Event
from ._outbox import Send

T = TypeVar("T")

_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COLUMNS = "id, name, data, message_id, correlation_id, causation_id, occurred_at"


class SQLiteRunner(Protocol):
    """Runs ``work(connection)`` off the event loop, one call at a time, and returns its result."""

    def __call__(self, work: Callable[[sqlite3.Connection], T], /) -> Awaitable[T]: ...


def check_table(table: str) -> str:
    if not _TABLE.fullmatch(table):
        raise ValueError(
            f"table must be a plain SQL identifier (letters, digits, _); got {table!r}"
        )
    return table


class SQLiteOutbox:
    """An outbox table in SQLite; ``catalog`` encodes the events (see ``EventCatalog``).

    ``run`` is the runner of the relay side (``None`` for an outbox used only to ``add``).

    - ``install(connection)`` creates the table (idempotent; put it in your schema step);
    - ``add(connection, event)`` inside the transaction of the change;
    - ``relay(send, limit)`` is the ``OutboxStore`` side, used by ``OutboxRelay``;
    - ``purge(older_than)`` deletes rows relayed more than ``older_than`` seconds ago.

    ``lease``: seconds a relay holds the rows it claimed; a relay that dies mid-batch
    delays those rows by that much.
    """

    __slots__ = ("_catalog", "_close", "_lease", "_run", "_sql", "table")

    def __init__(
        self,
        run: SQLiteRunner | None = None,
        *,
        catalog: EventCatalog,
        table: str = "lexigram_outbox",
        lease: float = 30.0,
    ) -> None:
        if lease <= 0:
            raise ValueError(f"lease is a positive number of seconds, got {lease}")
        self.table = check_table(table)
        self._run: SQLiteRunner = run if run is not None else _no_runner
        self._catalog = catalog
        self._lease = lease
        self._close: Callable[[], Awaitable[None]] | None = None
        self._sql = _statements(self.table)

    @classmethod
    async def open(
        cls,
        path: str,
        *,
        catalog: EventCatalog,
        table: str = "lexigram_outbox",
        lease: float = 30.0,
    ) -> SQLiteOutbox:
        """An outbox on a connection of its own to the database file ``path``.

        The table is created if needed; ``close`` the outbox when done."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lexigram-outbox")
        loop = asyncio.get_running_loop()
        connection = await loop.run_in_executor(executor, _connect, path)

        def run(work: Callable[[sqlite3.Connection], T]) -> Awaitable[T]:
            return loop.run_in_executor(executor, work, connection)

        outbox = cls(run, catalog=catalog, table=table, lease=lease)
        await run(outbox.install)

        async def close() -> None:
            await loop.run_in_executor(executor, connection.close)
            executor.shutdown(wait=True)

        outbox._close = close
        return outbox

    async def close(self) -> None:
        """Close the connection ``open`` made (nothing to do for a given runner)."""
        close, self._close = self._close, None
        if close is not None:
            await close()

    def install(self, connection: sqlite3.Connection) -> None:
        """Create the outbox table and its index if they are missing."""
        connection.executescript(self._sql["schema"])

    def add(self, connection: sqlite3.Connection, event: Event) -> None:
        """Write ``event`` in the transaction open on ``connection`` (commit it with the change)."""
        if connection.isolation_level is None and not connection.in_transaction:
            raise RuntimeError(
                "SQLiteOutbox.add() needs the transaction of the change: call it between "
                "BEGIN and COMMIT, so the event is written if and only if the change is"
            )
        e = self._catalog.encode(event)
        connection.execute(
            self._sql["insert"],
            (e.name, e.data, e.message_id, e.correlation_id, e.causation_id, e.timestamp),
        )

    async def relay(self, send: Send, limit: int) -> int:
        sql, lease = self._sql, self._lease

        def claim(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
            now = time.time()
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = _tuples(db).execute(sql["pending"], (now, limit)).fetchall()
                if rows:
                    db.execute(sql["claim"].format(marks=_marks(rows)), (now + lease, *_ids(rows)))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return rows

        rows = await self._run(claim)
        if not rows:
            return 0
        ids = _ids(rows)
        marks = _marks(rows)
        try:
            await send([_envelope(row) for row in rows])
        except BaseException:
            await self._run(lambda db: _in_transaction(db, sql["release"].format(marks=marks), ids))
            raise
        done = (time.time(), *ids)
        await self._run(lambda db: _in_transaction(db, sql["relayed"].format(marks=marks), done))
        return len(rows)

    async def purge(self, older_than: float) -> int:
        """Delete rows relayed more than ``older_than`` seconds ago; returns how many."""
        cutoff = (time.time() - older_than,)
        return await self._run(lambda db: _in_transaction(db, self._sql["purge"], cutoff))

    async def pending_count(self) -> int:
        """How many rows wait to be relayed."""
        row = await self._run(lambda db: _tuples(db).execute(self._sql["count"]).fetchone())
        return int(row[0])


def _no_runner(work: Callable[[sqlite3.Connection], T], /) -> Awaitable[T]:
    raise RuntimeError(
        "this SQLiteOutbox has no runner: pass run= (e.g. your database's run(work) method) "
        "or use `await SQLiteOutbox.open(path, catalog=...)` to relay"
    )


def _tuples(db: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor returning plain tuples, whatever the connection's row factory."""
    cursor = db.cursor()
    cursor.row_factory = None
    return cursor


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    if path != ":memory:":
        connection.execute("PRAGMA journal_mode = WAL")
    return connection


def _statements(table: str) -> dict[str, str]:
    return {
        "schema": f"""
            CREATE TABLE IF NOT EXISTS {table} (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                data BLOB NOT NULL,
                message_id TEXT NOT NULL,
                correlation_id TEXT NOT NULL,
                causation_id TEXT,
                occurred_at TEXT NOT NULL,
                claimed_until REAL,
                relayed_at REAL
            );
            CREATE INDEX IF NOT EXISTS {table}_unrelayed ON {table} (id) WHERE relayed_at IS NULL;
        """,
        "insert": f"INSERT INTO {table} (name, data, message_id, correlation_id, causation_id,"
        " occurred_at) VALUES (?, ?, ?, ?, ?, ?)",
        "pending": f"SELECT {_COLUMNS} FROM {table} WHERE relayed_at IS NULL"
        " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?",
        "claim": f"UPDATE {table} SET claimed_until = ? WHERE id IN ({{marks}})",
        "release": f"UPDATE {table} SET claimed_until = NULL WHERE id IN ({{marks}})",
        "relayed": f"UPDATE {table} SET relayed_at = ?, claimed_until = NULL"
        " WHERE id IN ({marks})",
        "purge": f"DELETE FROM {table} WHERE relayed_at IS NOT NULL AND relayed_at < ?",
        "count": f"SELECT count(*) FROM {table} WHERE relayed_at IS NULL",
    }


def _marks(rows: Sequence[Any]) -> str:
    return ", ".join("?" * len(rows))


def _ids(rows: Sequence[tuple[Any, ...]]) -> tuple[int, ...]:
    return tuple(int(row[0]) for row in rows)


def _envelope(row: tuple[Any, ...]) -> Envelope:
    _, name, data, message_id, correlation_id, causation_id, occurred_at = row
    return Envelope(name, bytes(data), message_id, correlation_id, causation_id, occurred_at)


def _in_transaction(db: sqlite3.Connection, statement: str, args: Sequence[Any]) -> int:
    db.execute("BEGIN IMMEDIATE")
    try:
        count = db.execute(statement, args).rowcount
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return count
