"""Fixtures: a real redis-server on a free loopback port, a throwaway PostgreSQL database.

Some test modules import an optional extra at module level: they are collected only where it
is installed. Without it they may only be deselected (``-m "not extra"``); any other run fails
loudly instead of silently losing them.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import RedisServer

NEEDS = {
    "test_di_activator.py": (("lexigram.di", "di"),),
    "test_di_module.py": (("lexigram.di", "di"),),
    "test_di_plans.py": (("lexigram.di", "di"),),
    "test_redis_transport.py": (("redis", "redis"),),
    "test_redis_faults.py": (("redis", "redis"),),
    "test_redis_outbox.py": (("redis", "redis"),),
    "test_postgres_outbox.py": (("psycopg", "postgres"), ("redis", "redis")),
    "test_di_integration.py": (("lexigram.di", "di"), ("redis", "redis")),
}

POSTGRES = os.environ.get("LEXIGRAM_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    for module, extra in NEEDS.get(collection_path.name, ()):
        if importlib.util.find_spec(module):
            continue
        if "not extra" in (config.getoption("markexpr") or ""):
            return True
        raise pytest.UsageError(
            f"{collection_path.name} needs {module}: install the extra "
            f'(pip install "lexigram-cqrs[{extra}]") or deselect these tests with -m "not extra"'
        )
    return None


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """One server per test module (tests use their own stream names)."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A server of the test's own, which the test kills and restarts."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def stream_name() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A uniquely named database on the local PostgreSQL, dropped afterwards (a conninfo)."""
    import psycopg

    name = f"lexigram_cqrs_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(f"{POSTGRES} dbname=postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required at {POSTGRES!r} (set LEXIGRAM_TEST_POSTGRES): {exc}")
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES} dbname={name}"
    finally:
        with psycopg.connect(f"{POSTGRES} dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
