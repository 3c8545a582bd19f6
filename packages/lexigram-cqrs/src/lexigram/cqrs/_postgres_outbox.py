"""``PostgresOutbox``: the outbox in a PostgreSQL table (psycopg 3, async).

The application's transaction calls ``PostgresOutbox.add`` on its own connection. A relay
pass opens a transaction, locks the oldest unrelayed rows with ``FOR UPDATE SKIP LOCKED``
(relays on other hosts skip them and take the next ones), hands them to the transport, marks
them relayed and commits. A relay that dies mid-pass releases its locks with its connection;
its rows are sent again by the next pass (same message ids: consumers ignore the copies).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import psycopg
from psycopg import pq
from psycopg.rows import tuple_row

from ._catalog import EventCatalog
from ._integration import Envelope
from ._messages import Event
from ._outbox import Send
from ._sqlite_outbox import check_table

_COLUMNS = "id, name, data, message_id, correlation_id, causation_id, occurred_at"


class ConnectionSource(Protocol):
    """What lends connections: a ``psycopg_pool.AsyncConnectionPool`` satisfies it."""

    def connection(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection[Any]]: ...


class _OwnConnection:
    """One connection of the outbox's own (from a conninfo string), reopened when broken."""

    def __init__(self, conninfo: str, timeout: float) -> None:
        self._conninfo = conninfo
        self._timeout = timeout
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def connection(self) -> AsyncGenerator[psycopg.AsyncConnection[Any], None]:
        async with self._lock:
            current = self._connection
            if current is None or current.closed or current.broken:
                current = self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, connect_timeout=max(int(self._timeout), 1)
                )
            yield current

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


class _NoConnections:
    def connection(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection[Any]]:
        raise RuntimeError(
            "this PostgresOutbox has no connections: pass a psycopg_pool.AsyncConnectionPool "
            "or a conninfo string to relay, purge or count"
        )


class PostgresOutbox:
    """An outbox table in PostgreSQL; ``catalog`` encodes the events.

    ``connections``: a ``psycopg_pool.AsyncConnectionPool`` (its connections are borrowed per
    relay pass), a conninfo string (one connection of the outbox's own; ``close`` it), or
    ``None`` for an outbox used only to ``add``.

    - ``await install(connection)`` creates the table (idempotent);
    - ``await add(connection, event)`` inside the transaction of the change;
    - ``relay(send, limit)`` is the ``OutboxStore`` side, used by ``OutboxRelay``;
    - ``await purge(older_than)`` deletes rows relayed more than ``older_than`` seconds ago.
    """

    __slots__ = ("_catalog", "_own", "_source", "_sql", "table")

    def __init__(
        self,
        connections: ConnectionSource | str | None = None,
        *,
        catalog: EventCatalog,
        table: str = "lexigram_outbox",
        timeout: float = 10.0,
    ) -> None:
        self.table = check_table(table)
        self._catalog = catalog
        self._own: _OwnConnection | None = None
        if isinstance(connections, str):
            self._own = _OwnConnection(connections, timeout)
            self._source: ConnectionSource = self._own
        else:
            self._source = connections if connections is not None else _NoConnections()
        self._sql = _statements(self.table)

    async def install(self, connection: psycopg.AsyncConnection[Any]) -> None:
        """Create the outbox table and its index if they are missing."""
        for statement in self._sql["schema"]:
            await connection.execute(statement)

    async def add(self, connection: psycopg.AsyncConnection[Any], event: Event) -> None:
        """Write ``event`` in the transaction open on ``connection`` (commit it with the change)."""
        idle = connection.info.transaction_status == pq.TransactionStatus.IDLE
        if connection.autocommit and idle:
            raise RuntimeError(
                "PostgresOutbox.add() needs the transaction of the change: call it inside "
                "`async with connection.transaction():`, so the event is written if and only "
                "if the change is"
            )
        e = self._catalog.encode(event)
        await connection.execute(
            self._sql["insert"],
            (e.name, e.data, e.message_id, e.correlation_id, e.causation_id, e.timestamp),
        )

    async def relay(self, send: Send, limit: int) -> int:
        sql = self._sql
        async with self._source.connection() as connection, connection.transaction():
            cursor = connection.cursor(row_factory=tuple_row)
            await cursor.execute(sql["pending"], (limit,))
            rows = await cursor.fetchall()
            if not rows:
                return 0
            await send([_envelope(row) for row in rows])
            await cursor.execute(sql["relayed"], ([row[0] for row in rows],))
        return len(rows)

    async def purge(self, older_than: float) -> int:
        """Delete rows relayed more than ``older_than`` seconds ago; returns how many."""
        async with self._source.connection() as connection, connection.transaction():
            cursor = await connection.execute(self._sql["purge"], (older_than,))
            return cursor.rowcount

    async def pending_count(self) -> int:
        """How many rows wait to be relayed."""
        async with self._source.connection() as connection, connection.transaction():
            cursor = connection.cursor(row_factory=tuple_row)
            await cursor.execute(self._sql["count"])
            row = await cursor.fetchone()
        return int(row[0]) if row is not None else 0

    async def close(self) -> None:
        """Close the connection of a conninfo-built outbox (a pool is the caller's to close)."""
        if self._own is not None:
            await self._own.close()


def _statements(table: str) -> dict[str, Any]:
    return {
        "schema": [
            f"""CREATE TABLE IF NOT EXISTS {table} (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                data BYTEA NOT NULL,
                message_id TEXT NOT NULL,
                correlation_id TEXT NOT NULL,
                causation_id TEXT,
                occurred_at TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                relayed_at TIMESTAMPTZ
            )""",
            f"CREATE INDEX IF NOT EXISTS {table}_unrelayed ON {table} (id)"
            " WHERE relayed_at IS NULL",
        ],
        "insert": f"INSERT INTO {table} (name, data, message_id, correlation_id, causation_id,"
        " occurred_at) VALUES (%s, %s, %s, %s, %s, %s)",
        "pending": f"SELECT {_COLUMNS} FROM {table} WHERE relayed_at IS NULL ORDER BY id"
        " LIMIT %s FOR UPDATE SKIP LOCKED",
        "relayed": f"UPDATE {table} SET relayed_at = now() WHERE id = ANY(%s)",
        "purge": f"DELETE FROM {table} WHERE relayed_at < now() - make_interval(secs => %s)",
        "count": f"SELECT count(*) FROM {table} WHERE relayed_at IS NULL",
    }


def _envelope(row: Any) -> Envelope:
    _, name, data, message_id, correlation_id, causation_id, occurred_at = row
    return Envelope(name, bytes(data), message_id, correlation_id, causation_id, occurred_at)
