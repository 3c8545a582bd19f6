"""Fixtures shared by the test modules: a real redis-server of the test's own.

Test modules that import the ``redis`` extra at module level are collected only where it is
installed; without it they may only be deselected (``-m "not extra"``), any other run fails
loudly instead of silently losing them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from _redis import RedisServer, serve_redis

NEEDS_REDIS = ("test_broadcast_redis.py", "test_broadcast_redis_servers.py")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name not in NEEDS_REDIS or importlib.util.find_spec("redis"):
        return None
    if "not extra" in (config.getoption("markexpr") or ""):
        return True
    raise pytest.UsageError(
        f'{collection_path.name} needs redis-py: pip install "lexigram-web[redis]", or'
        ' deselect it with -m "not extra"'
    )


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server on a free loopback port, which the test may stop and start again."""
    yield from serve_redis()
