"""Real servers in subprocesses on free loopback ports, for the integration tests.

``ServerProcess`` starts a command (``lexigram run ...``, ``uvicorn ...``, ``granian ...``),
waits for its first answer with a deadline, and stops it with SIGTERM (killing it, and failing
the test, if it does not exit in time). Importing this module also puts the repository root on
``sys.path``, as ``lexigram run`` does for the working directory, so ``examples`` imports.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
START_DEADLINE = 60.0  # a busy machine starts two workers and an app slowly; far below "never"
STOP_DEADLINE = 15.0
POLL = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(
    condition: Callable[[], bool], what: str, timeout: float = 10.0, interval: float = POLL
) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without ``LEXIGRAM_*`` settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    env.update(extra)
    return env


class ServerProcess:
    """``with ServerProcess(command, port, log, env=...) as server:`` serves until the block
    ends (then SIGTERM and a bounded wait)."""

    def __init__(
        self,
        command: Sequence[str],
        port: int,
        log: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path = ROOT,
        ready_path: str = "/health/live",
    ) -> None:
        self.command = list(command)
        self.port = port
        self.log = log
        self.env = clean_environment(env or {})
        self.cwd = cwd
        self.ready_path = ready_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self) -> None:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                httpx.get(self.url + self.ready_path, timeout=2.0)
            except httpx.TransportError:
                time.sleep(POLL)
            else:
                return
        self.kill()
        pytest.fail(f"the server did not answer within {START_DEADLINE}s:\n{self.output()}")

    def terminate(self) -> int:
        """SIGTERM, then wait up to ``STOP_DEADLINE`` (kill and fail the test after that)."""
        process = self.process
        assert process is not None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the server ignored SIGTERM for {STOP_DEADLINE}s:\n{self.output()}")

    def kill(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_DEADLINE)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.kill()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.terminate()
        finally:
            self.kill()


def server_command(server: str, app: str, port: int, workers: int) -> list[str]:
    """``lexigram run`` for ``app`` on ``server`` (granian or uvicorn)."""
    return [
        str(BIN / "lexigram"), "run", app, "--server", server, "--port", str(port),
        "--workers", str(workers), "--log-level", "warning",
    ]  # fmt: skip
