"""The database seam of the example: ``Database`` hands out ``Session``s; SQLite is the default.

A repository writes its SQL once, with ``?`` placeholders, against a :class:`Session`:
``fetch_one``/``fetch_all`` return rows as dicts, ``execute`` returns the row count, and
``add_event`` writes an integration event to the outbox in the session's transaction.
``database.write()`` is one transaction (committed when the block ends, rolled back on an
exception); ``database.read()`` is for queries.

:func:`open_database` picks the engine from ``settings.database``: a ``postgresql://`` URL is
PostgreSQL (``database_postgres``, psycopg 3 with a connection pool), anything else an SQLite
file (or ``":memory:"``). SQLite runs on one dedicated thread with one connection, so the event
loop never blocks on disk; sessions take turns on it (an ``asyncio.Lock``). A file database is
created, with its folder, on first start, in WAL mode with a busy timeout so that several
worker processes can share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
import sqlite3
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lexigram.cqrs import Event, EventCatalog, OutboxStore, SQLiteOutbox

from .schema import SQLITE_SCHEMA
from .urls import describe_database, is_postgres_url

__all__ = [
    "Database",
    "DatabaseUnavailableError",
    "Row",
    "SQLiteDatabase",
    "Session",
    "is_postgres_url",
    "open_database",
]

T = TypeVar("T")
Row = dict[str, Any]

MIN_FREE_BYTES = 1024 * 1024
"""Below this much free space on its disk the database is reported unable to take orders."""


class DatabaseUnavailableError(Exception):
    """The database does not answer (down, unreachable, or locked for too long): a 503."""


class Session(Protocol):
    async def fetch_one(self, sql: str, *args: Any) -> Row | None: ...

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> int: ...

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def add_event(self, event: Event) -> None: ...


class Database(Protocol):
    """What the repositories and providers use; SQLite and PostgreSQL implement it."""

    outbox: OutboxStore | None
    description: str

    def read(self) -> contextlib.AbstractAsyncContextManager[Session]: ...

    def write(self) -> contextlib.AbstractAsyncContextManager[Session]: ...

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> bool: ...

    async def write_problem(self) -> str | None:
        """Why the database cannot take an order now (``None`` when it can)."""
        ...


def open_database(
    database: str, *, catalog: EventCatalog | None = None, pool_size: int = 10, timeout: float = 5.0
) -> Database:
    """The database named by ``database``; with a ``catalog`` it has an outbox for its events."""
    if is_postgres_url(database):
        from .database_postgres import PostgresDatabase

        return PostgresDatabase(database, catalog=catalog, pool_size=pool_size, timeout=timeout)
    return SQLiteDatabase(database, catalog=catalog)


class _SQLiteSession:
    """Statements of one session, each run on the database thread."""

    __slots__ = ("_db", "_outbox")

    def __init__(self, db: SQLiteDatabase, outbox: SQLiteOutbox | None) -> None:
        self._db = db
        self._outbox = outbox

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        return await self._db.run(lambda c: c.execute(sql, _params(args)).fetchone())

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        return await self._db.run(lambda c: c.execute(sql, _params(args)).fetchall())

    async def execute(self, sql: str, *args: Any) -> int:
        return await self._db.run(lambda c: c.execute(sql, _params(args)).rowcount)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self._db.run(lambda c: c.executemany(sql, [_params(row) for row in rows]))

    async def add_event(self, event: Event) -> None:
        outbox = self._outbox
        if outbox is None:
            raise RuntimeError("this database has no outbox: open it with an EventCatalog")
        await self._db.run(lambda c: outbox.add(c, event))


class SQLiteDatabase:
    """One connection to ``path`` (``":memory:"`` for a private in-memory database)."""

    def __init__(self, path: str, *, catalog: EventCatalog | None = None) -> None:
        self.path = path
        self.description = describe_database(path)
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None
        self._turn = asyncio.Lock()
        self._outbox = None if catalog is None else SQLiteOutbox(self._run_in_turn, catalog=catalog)
        self.outbox: OutboxStore | None = self._outbox

    async def open(self) -> None:
        """Start the database thread, connect, and create the tables that are missing; a
        database that cannot be opened or written raises naming its path."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orders-db")
        try:
            self._connection = await self._submit(self._connect)
        except (OSError, sqlite3.Error) as exc:
            await self.close()
            raise RuntimeError(
                f"cannot use the orders database at {self.path!r}: {exc}; check that the"
                " folder exists or can be created, that the file is a writable SQLite database"
                " and that its disk has room, or set LEXIGRAM_ORDERS__DATABASE to another path"
            ) from exc
        problem = await self.write_problem()
        if problem is not None:
            await self.close()
            raise RuntimeError(
                f"the orders database at {self.path!r} cannot take writes: {problem}; make the"
                " file and its folder writable, free disk space, or set"
                " LEXIGRAM_ORDERS__DATABASE to another path"
            )

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        connection.row_factory = _dict_row
        connection.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            # Workers starting together race here: switching to WAL can answer "database is
            # locked" at once, without waiting on the busy timeout. Retry for a bounded time.
            _when_unlocked(lambda: connection.execute("PRAGMA journal_mode = WAL"))
        _when_unlocked(lambda: connection.executescript(SQLITE_SCHEMA))
        if self._outbox is not None:
            _when_unlocked(lambda: self._outbox.install(connection) if self._outbox else None)
        return connection

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncGenerator[Session, None]:
        async with self._turn:
            yield _SQLiteSession(self, self._outbox)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncGenerator[Session, None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception).

        ``IMMEDIATE`` takes the write lock up front, so two processes writing at once wait for
        each other (up to the busy timeout) instead of failing half-way.
        """
        async with self._turn:
            try:
                await self.run(lambda c: c.execute("BEGIN IMMEDIATE"))
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                raise DatabaseUnavailableError(f"the database stayed locked: {exc}") from exc
            try:
                yield _SQLiteSession(self, self._outbox)
            except BaseException:
                await self.run(lambda c: c.execute("ROLLBACK"))
                raise
            await self.run(lambda c: c.execute("COMMIT"))

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` on the database thread and return its result."""
        connection = self._connection
        if connection is None:
            raise RuntimeError("the database is not open: DatabaseProvider opens it at startup")
        return await self._submit(lambda: work(connection))

    async def _run_in_turn(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``run`` between sessions (the outbox relay's own transactions)."""
        async with self._turn:
            return await self.run(work)

    async def _submit(self, work: Callable[[], T]) -> T:
        if self._executor is None:
            raise RuntimeError("the database is not open: DatabaseProvider opens it at startup")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def ping(self) -> bool:
        """Whether a trivial query answers."""
        row = await self.run(lambda c: c.execute("SELECT 1 AS one").fetchone())
        return row is not None and row["one"] == 1

    async def write_problem(self) -> str | None:
        """Why the database cannot take an order now (``None`` when it can): a write in a
        transaction that is rolled back, and room on the disk holding the file."""
        try:
            await self._run_in_turn(_probe_write)
        except sqlite3.Error as exc:
            return f"a write fails ({exc})"
        if self.path == ":memory:":
            return None
        folder = Path(self.path).parent
        free = (await self._submit(lambda: shutil.disk_usage(folder))).free
        if free < MIN_FREE_BYTES:
            return f"the disk holding it has only {free} bytes free"
        return None

    async def close(self) -> None:
        executor, connection = self._executor, self._connection
        if executor is None:
            return
        if connection is not None:
            await self._submit(connection.close)
        self._executor = self._connection = None
        executor.shutdown(wait=True)


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def _params(args: Sequence[Any]) -> tuple[Any, ...]:
    """SQLite stores times as ISO 8601 text (its datetime adapters are deprecated)."""
    return tuple(a.isoformat() if isinstance(a, dt.datetime) else a for a in args)


def _probe_write(connection: sqlite3.Connection) -> None:
    """Write a row in a transaction and roll it back (nothing is kept)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(
            "INSERT OR REPLACE INTO products (sku, name, price_cents)"
            " VALUES ('__write_probe__', 'write probe', 0)"
        )
    finally:
        connection.execute("ROLLBACK")


def _when_unlocked(statement: Callable[[], object], deadline_seconds: float = 10.0) -> None:
    """Run ``statement``, retrying while another process holds the database lock."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            statement()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        else:
            return
