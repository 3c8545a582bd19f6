"""SQLite (stdlib ``sqlite3``) run off the event loop, on one dedicated thread.

Every statement runs on the same worker thread, one call at a time, so one connection serves
the whole process (an in-memory database included) and the event loop never blocks on disk.
A file database is created, with its folder, on first start; it is opened in WAL mode with a
busy timeout so several worker processes can share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

__all__ = ["SCHEMA", "Database", "transaction"]

T = TypeVar("T")

MIN_FREE_BYTES = 1024 * 1024
"""Below this much free space on its disk the database is reported unable to take orders."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT
);
CREATE TABLE IF NOT EXISTS order_lines (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
);
CREATE TABLE IF NOT EXISTS order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, id);
"""


class Database:
    """One connection to ``path`` (``":memory:"`` for a private in-memory database)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None

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
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            # Workers starting together race here: switching to WAL can answer "database is
            # locked" at once, without waiting on the busy timeout. Retry for a bounded time.
            _when_unlocked(lambda: connection.execute("PRAGMA journal_mode = WAL"))
        _when_unlocked(lambda: connection.executescript(SCHEMA))
        return connection

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` on the database thread and return its result."""
        connection = self._connection
        if connection is None:
            raise RuntimeError("the database is not open: DatabaseProvider opens it at startup")
        return await self._submit(lambda: work(connection))

    async def _submit(self, work: Callable[[], T]) -> T:
        if self._executor is None:
            raise RuntimeError("the database is not open: DatabaseProvider opens it at startup")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def ping(self) -> bool:
        """Whether a trivial query answers."""
        row = await self.run(lambda db: db.execute("SELECT 1").fetchone())
        return row is not None and row[0] == 1

    async def write_problem(self) -> str | None:
        """Why the database cannot take an order now (``None`` when it can): a write in a
        transaction that is rolled back, and room on the disk holding the file."""
        try:
            await self.run(_probe_write)
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


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception).

    ``IMMEDIATE`` takes the write lock up front, so two processes writing at once wait for
    each other (up to the busy timeout) instead of failing half-way.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


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
