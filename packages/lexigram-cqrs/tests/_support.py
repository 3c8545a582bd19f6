"""Test support: a real redis-server on a free loopback port, waiting on conditions, and
worker subprocesses (``stream_worker.py``) that the tests kill."""

from __future__ import annotations

import asyncio
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

REDIS_BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"
WORKER = Path(__file__).with_name("stream_worker.py")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server process on one loopback port; kill it and start it again on that port."""

    def __init__(self) -> None:
        if not Path(REDIS_BINARY).is_file():
            pytest.fail(f"redis-server is required by these tests; not found at {REDIS_BINARY}")
        self.port = _free_port()
        self._log = tempfile.NamedTemporaryFile(prefix="redis-", suffix=".log")  # noqa: SIM115
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [REDIS_BINARY, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10.0
        while not _pings(self.port):
            if self._process.poll() is not None:
                log = Path(self._log.name).read_text(errors="replace")[-2000:]
                pytest.fail(f"redis-server exited with {self._process.returncode}:\n{log}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"redis-server did not answer PING on port {self.port} within 10 s")
            time.sleep(0.01)

    def kill(self) -> None:
        """Stop the server abruptly (a crash: SIGKILL)."""
        process, self._process = self._process, None
        if process is not None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=5.0)

    def close(self) -> None:
        self.kill()
        self._log.close()


async def eventually(
    condition: Callable[[], bool | Awaitable[bool]], what: str, within: float = 10.0
) -> None:
    """Wait until ``condition()`` holds (polling every 20 ms); fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        outcome = condition()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


def start_worker(*args: str) -> subprocess.Popen[str]:
    """``stream_worker.py`` in a subprocess; it prints one line per step to stdout."""
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_step(worker: subprocess.Popen[str], expected: str, timeout: float = 15.0) -> None:
    """Wait for the worker to print ``expected`` (a line); fail with its stderr otherwise."""
    assert worker.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(worker.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=max(deadline - time.monotonic(), 0)):
                line = worker.stdout.readline()
                if line.strip() == expected:
                    return
                if not line:
                    break
    worker.kill()
    _, err = worker.communicate(timeout=5)
    pytest.fail(f"the worker did not print {expected!r} within {timeout} s; stderr:\n{err}")


def kill_worker(worker: subprocess.Popen[str]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)


async def stream_entries(client: Any, stream: str) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """Every entry of ``stream`` as ``(id, fields)`` (a client made with byte responses)."""
    found: list[tuple[bytes, dict[bytes, bytes]]] = await client.xrange(stream)
    return found
