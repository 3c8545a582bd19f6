"""Helpers for tests that run a real server in a subprocess on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

START_DEADLINE = 60.0  # a busy machine starts a server slowly; far below "never"
STOP_DEADLINE = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def first_answer(
    process: subprocess.Popen[bytes], port: int, log: Path, path: str = "/ping"
) -> httpx.Response:
    """GET ``path`` until the server answers (failing the test if it exits or takes longer
    than ``START_DEADLINE``)."""
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"the server did not answer within {START_DEADLINE}s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, then wait up to ``STOP_DEADLINE`` (kill and fail the test after that)."""
    process.terminate()
    try:
        process.wait(timeout=STOP_DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the server ignored SIGTERM for {STOP_DEADLINE}s:\n{log.read_text()}")


def uvicorn_command(app: str, port: int) -> list[str]:
    """uvicorn serving the import string ``app`` (a module of this folder) on ``port``."""
    return [
        sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
        "--lifespan", "on", "--log-level", "warning",
    ]  # fmt: skip


@contextmanager
def running(command: list[str], port: int, log: Path, probe: str = "/ping") -> Iterator[str]:
    """Run ``command`` from this folder until the block ends; yields the base URL once
    ``GET probe`` answers. The server's output goes to ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=Path(__file__).parent, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        first_answer(process, port, log, probe)
        yield f"127.0.0.1:{port}"
    finally:
        stop(process, log)
