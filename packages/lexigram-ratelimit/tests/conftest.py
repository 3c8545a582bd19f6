"""Fixtures: a settable clock, a real redis-server on a free loopback port, limiters per backend.

Some test modules import an optional extra at module level: they are collected only where
it is installed. Without it they may only be deselected (``-m "not extra"``); any other run
fails loudly instead of silently losing them.
"""

from __future__ import annotations

import importlib.util
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lexigram.ratelimit import MemoryBackend, RateLimitBackend, RateLimiter

NEEDS = {
    "test_redis_backend.py": ("redis", "redis"),
    "test_redis_failure.py": ("redis", "redis"),
    "test_di.py": ("lexigram.di", "di"),
}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    need = NEEDS.get(collection_path.name)
    if need is None or importlib.util.find_spec(need[0]):
        return None
    if "not extra" in (config.getoption("markexpr") or ""):
        return True
    raise pytest.UsageError(
        f"{collection_path.name} needs {need[0]}: install the extra "
        f'(pip install "lexigram-ratelimit[{need[1]}]") or deselect it with -m "not extra"'
    )


REDIS_BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"
T0 = 3_600_000.0  # a multiple of every period used in the tests


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _bus_port_usable(port: int) -> bool:
    if port + 10_000 > 65_535:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port + 10_000))
        except OSError:
            return False
    return True


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server process on one loopback port; stop and start it again on that port."""

    def __init__(self, *extra_args: str) -> None:
        if not Path(REDIS_BINARY).is_file():
            pytest.fail(f"redis-server is required by these tests; not found at {REDIS_BINARY}")
        self.extra_args = extra_args
        self.port = _free_port()
        while "--cluster-enabled" in extra_args and not _bus_port_usable(self.port):
            self.port = _free_port()  # the cluster bus listens on port + 10000
        self._log = tempfile.NamedTemporaryFile(prefix="redis-", suffix=".log")  # noqa: SIM115
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [REDIS_BINARY, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", *self.extra_args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10.0
        while not _pings(self.port):
            if self._process.poll() is not None:
                log = Path(self._log.name).read_text(errors="replace")[-2000:]
                pytest.fail(f"redis-server exited with {self._process.returncode}:\n{log}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"redis-server did not answer PING on port {self.port} within 10 s")
            time.sleep(0.01)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open, nothing answers."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5.0)

    def close(self) -> None:
        self.stop()
        self._log.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One server for the session (tests use their own key prefixes)."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A server of the test's own, which the test may kill and restart."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


def redis_backend(server: RedisServer, **options: Any) -> RateLimitBackend:
    from lexigram.ratelimit.redis import RedisBackend

    options.setdefault("key_prefix", f"test:{uuid.uuid4().hex[:8]}:")
    return RedisBackend(url=server.url, **options)


MakeLimiter = Callable[..., RateLimiter]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.extra("redis"))])
async def make_limiter(request: pytest.FixtureRequest, clock: Clock) -> AsyncIterator[MakeLimiter]:
    """Builds limiters on the parametrized backend, all driven by ``clock``."""
    made: list[RateLimiter] = []

    def make(**options: Any) -> RateLimiter:
        backend: RateLimitBackend
        if request.param == "memory":
            backend = MemoryBackend(clock=clock)
        else:
            backend = redis_backend(request.getfixturevalue("redis_server"), clock=clock)
        limiter = RateLimiter(backend, **options)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        await limiter.aclose()


@pytest.fixture
def advance(clock: Clock) -> Callable[[float], None]:
    """Moves ``clock`` forward by the given seconds."""
    return clock.advance


@pytest.fixture
def make_redis_server() -> Iterator[Callable[..., RedisServer]]:
    """Starts servers with extra arguments (e.g. cluster mode); stops them at the end."""
    servers: list[RedisServer] = []

    def make(*extra_args: str) -> RedisServer:
        server = RedisServer(*extra_args)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
