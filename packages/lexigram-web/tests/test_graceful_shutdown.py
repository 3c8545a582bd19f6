"""A graceful stop is bounded: an endless server-sent event stream open at SIGTERM delays the
server's exit by at most ``graceful_timeout`` seconds, on both servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from _servers import first_answer, free_port, stop

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
GRACE = 1.0
MARGIN = 6.0  # process exit, worker reaping and a busy machine; far below "never"
SERVERS = [
    pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
    pytest.param("granian", marks=pytest.mark.extra("granian")),
]


@pytest.mark.parametrize("server", SERVERS)
def test_an_endless_event_stream_delays_sigterm_by_at_most_the_graceful_timeout(
    server: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    command = [
        str(LEXIGRAM), "run", "realtime_fixture_app:app", "--port", str(port),
        "--server", server, "--graceful-timeout", str(GRACE), "--log-level", "warning",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        first_answer(process, port, log)
        with httpx.stream("GET", f"http://127.0.0.1:{port}/events", timeout=5.0) as response:
            assert next(response.iter_lines()) == "id: 1"
            began = time.monotonic()
            process.terminate()
            try:
                process.wait(timeout=GRACE + MARGIN)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{server} still waits on the stream:\n{log.read_text()}")
            waited = time.monotonic() - began
    finally:
        if process.poll() is None:
            stop(process, log)
    assert waited < GRACE + MARGIN
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1.0):
        pass  # nothing listens any more
