"""WebSocket handlers served by uvicorn on a real socket, driven by the ``websockets`` client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _servers import free_port, running, uvicorn_command
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.extra("uvicorn")
TIMEOUT = 5.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("ws-server") / "server.log"
    with running(uvicorn_command("realtime_fixture_app:app", port), port, log) as host:
        yield host


def _connect(host: str, path: str) -> ClientConnection:
    return connect(f"ws://{host}{path}", open_timeout=TIMEOUT, close_timeout=TIMEOUT)


def _recv_json(socket: ClientConnection) -> Any:
    return json.loads(socket.recv(timeout=TIMEOUT))


def _closed(socket: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=TIMEOUT)
    frame = closed.value.rcvd
    assert frame is not None, "the server dropped the connection without a close frame"
    return frame.code, frame.reason


def _chat_connections(host: str) -> int:
    count: int = httpx.get(f"http://{host}/stats", timeout=TIMEOUT).json()["chat_connections"]
    return count


def _wait_for_no_chat_connections(host: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while _chat_connections(host) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _chat_connections(host) == 0


def test_messages_are_broadcast_between_real_clients(server: str) -> None:
    with (
        _connect(server, "/chat/lobby?token=ok&user=ann") as ann,
        _connect(server, "/chat/lobby?token=ok&user=bob") as bob,
    ):
        assert _recv_json(ann) == {"joined": "lobby"}
        assert _recv_json(bob) == {"joined": "lobby"}
        ann.send(json.dumps("hi bob"))
        assert _recv_json(bob) == {"from": "ann", "said": "hi bob"}
        assert _recv_json(ann) == {"from": "ann", "said": "hi bob"}
    _wait_for_no_chat_connections(server)


def test_a_refused_handshake_is_an_http_401_problem(server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        _connect(server, "/chat/lobby?user=eve")
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert json.loads(response.body or b"{}")["detail"] == "a token is required"


def test_an_oversized_message_closes_with_1009(server: str) -> None:
    with _connect(server, "/chat/big?token=ok&user=cy") as socket:
        _recv_json(socket)
        socket.send(json.dumps("x" * 2000))
        assert _closed(socket) == (1009, "message exceeds the 1024-byte limit")
    _wait_for_no_chat_connections(server)


def test_malformed_json_closes_with_1007(server: str) -> None:
    with _connect(server, "/chat/bad?token=ok&user=dee") as socket:
        _recv_json(socket)
        socket.send("{not json")
        assert _closed(socket) == (1007, "message is not valid JSON")


def test_an_unexpected_error_closes_with_1011_without_details(server: str) -> None:
    with _connect(server, "/chat/err?token=ok&user=fay") as socket:
        _recv_json(socket)
        socket.send(json.dumps("boom"))
        assert _closed(socket) == (1011, "")


def test_the_per_user_limit_closes_with_1013_and_is_released(server: str) -> None:
    path = "/chat/limit?token=ok&user=gus"
    with _connect(server, path) as first, _connect(server, path) as second:
        _recv_json(first)
        _recv_json(second)
        with _connect(server, path) as third:
            assert _closed(third) == (1013, "too many connections for this user (limit 2)")
    _wait_for_no_chat_connections(server)
    with _connect(server, path) as again:
        assert _recv_json(again) == {"joined": "limit"}


def test_the_heartbeat_pings_and_closes_a_silent_client(server: str) -> None:
    with _connect(server, "/live") as answering:
        for _ in range(2):
            assert _recv_json(answering) == {"type": "ping"}
            answering.send(json.dumps({"type": "pong"}))
        answering.send(json.dumps("ok?"))
        message = _recv_json(answering)
        while message == {"type": "ping"}:
            answering.send(json.dumps({"type": "pong"}))
            message = _recv_json(answering)
        assert message == {"echo": "ok?"}
    with _connect(server, "/live") as silent:
        assert _recv_json(silent) == {"type": "ping"}
        assert _closed(silent) == (1011, "ping timeout")
