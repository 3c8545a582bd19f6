"""The orders database opens while another worker process holds its lock (workers race at start)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from examples.orders.database import SQLiteDatabase


async def test_database_opens_while_another_connection_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "orders.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE warmup (x)")
    holder.execute("BEGIN IMMEDIATE")  # a reserved lock: another worker creating the schema
    release = threading.Timer(0.3, holder.rollback)
    release.start()
    database = SQLiteDatabase(str(path))
    try:
        await database.open()
        assert await database.ping()
    finally:
        release.join()
        holder.close()
        await database.close()
