"""Fixtures shared by the test modules: a real redis-server of the test's own.

Test modules that import an optional extra at module level are collected only where it is
installed. Without it they may only be deselected (``-m "not extra"``, the no-extras run); any
other run fails loudly instead of silently losing them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from _redis import RedisServer, serve_redis

NEEDS = {
    "test_broadcast_redis.py": (("redis",), "redis"),
    "test_broadcast_redis_servers.py": (("redis",), "redis"),
    "test_no_garbage_per_request.py": (("lexigram.result",), "result"),
    "test_otel_tracing.py": (("opentelemetry.sdk",), "otel"),
    "test_prometheus_metrics.py": (("prometheus_client", "lexigram.ratelimit"), "prometheus"),
    "test_prometheus_multiprocess.py": (("prometheus_client",), "prometheus"),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    need = NEEDS.get(collection_path.name)
    if need is None or all(_installed(module) for module in need[0]):
        return None
    if "not extra" in (config.getoption("markexpr") or ""):
        return True
    raise pytest.UsageError(
        f"{collection_path.name} needs {', '.join(need[0])}: install the extra"
        f' (pip install "lexigram-web[{need[1]}]") or deselect it with -m "not extra"'
    )


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server on a free loopback port, which the test may stop and start again."""
    yield from serve_redis()
