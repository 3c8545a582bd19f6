"""Shared fixtures of the integration suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _postgres import PostgresDatabase
from _redis_server import RedisServer


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    """A database of the run's own on the local PostgreSQL, dropped at the end."""
    database = PostgresDatabase()
    database.create()
    try:
        yield database
    finally:
        database.drop()
