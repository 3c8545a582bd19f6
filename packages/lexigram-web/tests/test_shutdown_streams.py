"""A graceful stop ends what never ends by itself, cleanly, on both servers: every open
WebSocket gets a close frame (1001 going away, or uvicorn's own 1012), every event stream its
last chunk (the chunked terminator), and nothing logs a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _servers import first_answer, free_port, stop
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

TESTS_DIR = Path(__file__).parent
LEXIGRAM = Path(sys.executable).parent / "lexigram"
GRACE = 20.0  # what the streams would hold the server for if nobody ended them
DEADLINE = 10.0  # bounded waits on conditions, well below GRACE
SERVERS = [
    pytest.param("uvicorn", marks=pytest.mark.extra("uvicorn")),
    pytest.param("granian", marks=pytest.mark.extra("granian")),
]


def open_event_stream(port: int) -> tuple[socket.socket, bytes]:
    """A raw HTTP/1.1 request to /events; the bytes read up to the first event."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    sock.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
    received = b""
    while b"data: hello" not in received:
        chunk = sock.recv(65536)
        assert chunk, f"the stream ended before its first event: {received!r}"
        received += chunk
    return sock, received


def read_to_end(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def close_code(websocket: ClientConnection) -> int:
    """The code of the close frame the server sent (fails on a drop without one: 1006)."""
    with pytest.raises(ConnectionClosed) as closed:
        websocket.recv(timeout=DEADLINE)
    frame = closed.value.rcvd
    assert frame is not None, "the server dropped the websocket without a close frame"
    return frame.code


@pytest.mark.parametrize("server", SERVERS)
def test_sigterm_closes_websockets_and_ends_event_streams_cleanly(
    server: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    command = [
        str(LEXIGRAM), "run", "shutdown_fixture_app:app", "--server", server,
        "--port", str(port), "--graceful-timeout", str(GRACE), "--log-level", "info",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXIGRAM_")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=TESTS_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        first_answer(process, port, log)
        stream, head = open_event_stream(port)
        with (
            stream,
            connect(f"ws://127.0.0.1:{port}/chat", open_timeout=DEADLINE) as chat,
            connect(f"ws://127.0.0.1:{port}/echo", open_timeout=DEADLINE) as echo,
        ):
            chat.send('"hi"')
            assert chat.recv(timeout=DEADLINE) == '{"said":"hi"}'
            echo.send("hi")
            assert echo.recv(timeout=DEADLINE) == "hi"
            began = time.monotonic()
            process.terminate()
            rest = read_to_end(stream)
            codes = {close_code(chat), close_code(echo)}
        process.wait(timeout=DEADLINE)
        stopped_after = time.monotonic() - began
    finally:
        if process.poll() is None:
            stop(process, log)
    printed = log.read_text()
    assert b"transfer-encoding: chunked" in head.lower()
    assert rest.endswith(b"0\r\n\r\n"), f"no chunked terminator: {rest!r}\n{printed}"
    assert codes <= {1001, 1012}, printed
    assert stopped_after < GRACE  # the streams did not hold the server until the timeout
    assert "Traceback" not in printed
    assert "CancelledError" not in printed
