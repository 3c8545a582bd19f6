"""PostgreSQL for the example: psycopg 3 async with a connection pool (``psycopg_pool``).

Used when ``LEXIGRAM_ORDERS__DATABASE`` is a ``postgresql://`` URL. The pool opens at startup
(waiting up to ``timeout`` seconds for its first connection) and the schema is created then,
under an advisory lock so that workers starting together do not race. A session borrows one
connection; a write session is one transaction. Borrowing waits at most ``timeout`` seconds,
so a request never hangs on a database that is down.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Sequence
from typing import Any, LiteralString

from psycopg import AsyncConnection, Error, OperationalError
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from lexigram.cqrs import Event, EventCatalog, OutboxStore
from lexigram.cqrs.postgres import PostgresOutbox

from .database import DatabaseUnavailableError, Row, Session
from .schema import POSTGRES_SCHEMA
from .urls import describe_database

__all__ = ["PostgresDatabase"]

_SCHEMA_LOCK = 0x0D0E5  # any constant: one schema creation at a time across workers
_CACHED_STATEMENTS = 512


class _PostgresSession:
    __slots__ = ("_connection", "_db")

    def __init__(self, db: PostgresDatabase, connection: AsyncConnection[DictRow]) -> None:
        self._db = db
        self._connection = connection

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        cursor = await self._connection.execute(self._db.sql(sql), args)
        return await cursor.fetchone()

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        cursor = await self._connection.execute(self._db.sql(sql), args)
        return await cursor.fetchall()

    async def execute(self, sql: str, *args: Any) -> int:
        cursor = await self._connection.execute(self._db.sql(sql), args)
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        async with self._connection.cursor() as cursor:
            await cursor.executemany(self._db.sql(sql), rows)

    async def add_event(self, event: Event) -> None:
        outbox = self._db.postgres_outbox
        if outbox is None:
            raise RuntimeError("this database has no outbox: open it with an EventCatalog")
        await outbox.add(self._connection, event)


class PostgresDatabase:
    """A pool of up to ``pool_size`` connections to ``url``."""

    def __init__(
        self,
        url: str,
        *,
        catalog: EventCatalog | None = None,
        pool_size: int = 10,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.description = describe_database(url)
        self.timeout = timeout
        self.pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=timeout,
            kwargs={
                "row_factory": dict_row,
                "autocommit": True,  # reads need no transaction; writes open one
                "connect_timeout": max(int(timeout), 1),
            },
            connection_class=AsyncConnection[DictRow],
        )
        self.postgres_outbox = (
            None if catalog is None else PostgresOutbox(self.pool, catalog=catalog)
        )
        self.outbox: OutboxStore | None = self.postgres_outbox
        self._statements: dict[str, str] = {}

    def sql(self, statement: str) -> LiteralString:
        """``statement`` with psycopg's ``%s`` placeholders (converted once per statement)."""
        converted = self._statements.get(statement)
        if converted is None:
            converted = statement.replace("%", "%%").replace("?", "%s")
            if len(self._statements) < _CACHED_STATEMENTS:
                self._statements[statement] = converted
        return converted  # pyright: ignore[reportReturnType]  # built from the repositories' literals

    async def open(self) -> None:
        await self.pool.open(wait=True, timeout=self.timeout)
        async with self.pool.connection() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in POSTGRES_SCHEMA:
                await connection.execute(statement)
            if self.postgres_outbox is not None:
                await self.postgres_outbox.install(connection)

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncGenerator[Session, None]:
        try:
            async with self.pool.connection() as connection:
                yield _PostgresSession(self, connection)
        except OperationalError as exc:
            raise DatabaseUnavailableError(f"PostgreSQL does not answer: {exc}") from exc

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncGenerator[Session, None]:
        try:
            async with self.pool.connection() as connection, connection.transaction():
                yield _PostgresSession(self, connection)
        except OperationalError as exc:
            raise DatabaseUnavailableError(f"PostgreSQL does not answer: {exc}") from exc

    async def ping(self) -> bool:
        async with self.pool.connection() as connection:
            cursor = await connection.execute("SELECT 1 AS one")
            row = await cursor.fetchone()
        return row is not None and row["one"] == 1

    async def write_problem(self) -> str | None:
        """Why the database cannot take an order now (``None`` when it can): a write in a
        transaction that is rolled back (a read-only server or a full disk refuses it)."""
        try:
            async with (
                self.pool.connection() as connection,
                connection.transaction(force_rollback=True),
            ):
                await connection.execute(
                    "INSERT INTO products (sku, name, price_cents)"
                    " VALUES ('__write_probe__', 'write probe', 0) ON CONFLICT (sku) DO NOTHING"
                )
        except Error as exc:
            return f"a write fails ({exc})"
        return None

    async def close(self) -> None:
        await self.pool.close()
