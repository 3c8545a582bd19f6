"""What one client can hold on a real server is bounded: idle connections past the limit are
closed (silent ones, ones stalled in their headers, idle kept-alive ones) and the server still
answers a new client; a stalled request body is answered 408 problem+json; the defaults reach
both servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from _servers import first_answer, free_port, stop

from lexigram.web import WebConfig
from lexigram.web._serve._granian import granian_options
from lexigram.web._serve._uvicorn import uvicorn_options
from lexigram.web._serve.server import ServerOptions

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
LIMIT = 50
IDLE = 60  # more idle connections than the server holds
TIMEOUT = 1.0  # seconds, for headers, keep-alive and bodies alike
CLOSE_DEADLINE = 15.0  # far above TIMEOUT: "never" fails instead of blocking the suite
SERVERS = [
    pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
    pytest.param("granian", marks=pytest.mark.extra("granian")),
]


@contextmanager
def serving(server: str, tmp_path: Path) -> Iterator[int]:
    """``lexigram run limits_fixture_app:app`` with a small limit and short timeouts."""
    port = free_port()
    log = tmp_path / "server.log"
    command = [
        str(LEXIGRAM), "run", "limits_fixture_app:app", "--server", server,
        "--port", str(port), "--log-level", "warning", "--max-connections", str(LIMIT),
        "--header-timeout", str(TIMEOUT), "--keep-alive-timeout", str(TIMEOUT),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    env["FIXTURE_BODY_TIMEOUT"] = str(TIMEOUT)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        first_answer(process, port, log, "/health/live")
        yield port
    finally:
        stop(process, log)


def idle_connections(port: int) -> list[socket.socket]:
    """Connections that hold a slot without finishing a request: most send nothing, some
    stop in the middle of their headers, some idle after one complete request."""
    sockets: list[socket.socket] = []
    for n in range(IDLE):
        sock = socket.create_connection(("127.0.0.1", port), timeout=CLOSE_DEADLINE)
        if n % 6 == 1:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        elif n % 6 == 2:
            sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket, deadline: float) -> bool:
    """Read until the server closes the connection (``False`` if ``deadline`` passes)."""
    with sock:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if sock.recv(65536) == b"":
                    return True
            except (ConnectionResetError, BrokenPipeError):
                return True
            except TimeoutError:
                return False
    return False


@pytest.mark.parametrize("server", SERVERS)
def test_idle_connections_past_the_limit_are_closed_and_a_new_client_is_served(
    server: str, tmp_path: Path
) -> None:
    with serving(server, tmp_path) as port:
        sockets = idle_connections(port)
        deadline = time.monotonic() + CLOSE_DEADLINE
        still_open = [n for n, sock in enumerate(sockets) if not closed_by_server(sock, deadline)]
        assert still_open == []
        response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0)
        assert response.status_code == 200


@pytest.mark.parametrize("server", SERVERS)
def test_a_stalled_request_body_is_answered_408_problem_json(server: str, tmp_path: Path) -> None:
    with serving(server, tmp_path) as port:
        sock = socket.create_connection(("127.0.0.1", port), timeout=CLOSE_DEADLINE)
        with sock:
            sock.sendall(
                b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n" + b'{"name": '
            )
            answer = b""
            while chunk := sock.recv(65536):  # the server closes after answering
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer
    assert b"content-type: application/problem+json" in head.lower()
    assert b'"status":408' in body


def test_the_default_limits_reach_both_servers() -> None:
    defaults = ServerOptions()
    config = WebConfig()
    assert (defaults.backlog, defaults.max_connections) == (config.backlog, 1000)
    assert (defaults.header_timeout, defaults.keep_alive_timeout) == (10.0, 5.0)
    assert config.header_timeout == 10.0 and config.keep_alive_timeout == 5.0
    assert config.body_timeout == 30.0


@pytest.mark.extra("granian")
def test_granian_gets_http1_backpressure_and_one_idle_timer() -> None:
    from granian.constants import HTTPModes

    options = granian_options(ServerOptions())
    assert options["http"] == HTTPModes.http1  # auto mode never times out a silent client
    assert options["backlog"] == 1024
    assert options["backpressure"] == 1000
    assert options["http1_settings"].header_read_timeout == 5000  # the shorter, in ms
    longer = granian_options(ServerOptions(header_timeout=2.5, keep_alive_timeout=20.0))
    assert longer["http1_settings"].header_read_timeout == 2500


@pytest.mark.extra("uvicorn")
def test_uvicorn_gets_its_limits_and_a_protocol_with_a_header_deadline() -> None:
    from uvicorn.importer import import_from_string

    from lexigram.web._serve._uvicorn_protocols import HeaderDeadline

    options = uvicorn_options(ServerOptions())
    assert options["limit_concurrency"] == 1000
    assert options["backlog"] == 1024
    assert options["timeout_keep_alive"] == 5.0
    # an import string: workers import Lexigram only after they answer health checks
    assert isinstance(options["http"], str)
    assert issubclass(import_from_string(options["http"]), HeaderDeadline)
    assert options["proxy_headers"] is False  # uvicorn alone would trust 127.0.0.1
    assert options["timeout_worker_healthcheck"] == 30  # workers import lexigram.web first
