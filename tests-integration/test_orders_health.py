"""The Orders example's readiness and startup tell the truth: a database that answers reads
but cannot take a write is not ready, an unusable database path fails startup naming it, and
the startup line never claims Redis limits when Redis does not answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _servers import free_port

from examples.orders import create_app, load_settings
from examples.orders.database import Database, SQLiteDatabase
from examples.orders.settings import HERE
from lexigram.web import LexigramApp, load_web_config
from lexigram.web.testing import TestClient


def make_app(**settings: Any) -> LexigramApp:
    options: dict[str, Any] = {"default_rate_limit": "1000/minute"}
    options.update(settings)
    return create_app(load_settings(environ={}, **options), load_web_config(HERE, environ={}))


def test_readiness_fails_while_the_database_refuses_writes(tmp_path: Path) -> None:
    app = make_app(database=str(tmp_path / "orders.db"))
    with TestClient(app) as client:
        assert client.get("/health/ready").status_code == 200
        database = app.container.resolve(Database)
        assert isinstance(database, SQLiteDatabase)
        portal = client.portal
        assert portal is not None
        portal.call(database.run, lambda db: db.execute("PRAGMA query_only = ON"))
        ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {"status": "unhealthy"}


def test_a_database_path_that_cannot_be_used_fails_startup_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    path = blocker / "orders.db"
    with pytest.raises(Exception) as failed, TestClient(make_app(database=str(path))):
        pass
    chain: list[BaseException] = []
    error: BaseException | None = failed.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(str(path) in str(e) and "LEXIGRAM_ORDERS__DATABASE" in str(e) for e in chain)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def announcements() -> Iterator[list[str]]:
    handler = _Lines()
    logger = logging.getLogger("examples.orders")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def test_the_startup_line_says_memory_when_redis_does_not_answer(
    announcements: list[str],
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    with TestClient(make_app(database=":memory:", redis_url=nobody)) as client:
        assert client.get("/health/live").status_code == 200
    [ready] = [line for line in announcements if line.startswith("orders API ready")]
    assert "rate limits on memory (Redis does not answer" in ready
