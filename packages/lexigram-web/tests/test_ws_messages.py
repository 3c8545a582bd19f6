"""The ``WebSocket`` wrapper: size limit, malformed and mistyped messages, close bookkeeping."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

from lexigram.web import LexigramApp, WebSocket, websocket
from lexigram.web.testing import TestClient


def _echo_app(**options: Any) -> LexigramApp:
    app = LexigramApp()

    @app.websocket("/json", **options)
    async def echo_json(socket: WebSocket) -> None:
        await socket.accept()
        while True:
            await socket.send_json({"got": await socket.receive_json()})

    @app.websocket("/text", **options)
    async def echo_text(socket: WebSocket) -> None:
        await socket.accept()
        while True:
            await socket.send_text(await socket.receive_text())

    return app


def _closed_by_server(path: str, send: Any, app: LexigramApp | None = None) -> tuple[int, str]:
    with TestClient(app or _echo_app()) as client, client.websocket_connect(path) as socket:
        send(socket)
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    return closed.value.code, closed.value.reason


def test_malformed_json_closes_with_1007_and_a_clear_reason() -> None:
    closed = _closed_by_server("/json", lambda s: s.send_text("{not json"))
    assert closed == (1007, "message is not valid JSON")


def test_a_binary_frame_where_text_is_expected_closes_with_1003() -> None:
    closed = _closed_by_server("/text", lambda s: s.send_bytes(b"\x00\x01"))
    assert closed == (1003, "expected a text message")


def test_json_may_arrive_in_a_binary_frame() -> None:
    with TestClient(_echo_app()) as client, client.websocket_connect("/json") as socket:
        socket.send_bytes(b'{"a": 1}')
        assert socket.receive_json() == {"got": {"a": 1}}


def test_an_oversized_message_closes_with_1009() -> None:
    app = _echo_app(max_message_size=16)
    with TestClient(app) as client, client.websocket_connect("/text") as socket:
        socket.send_text("x" * 16)
        assert socket.receive_text() == "x" * 16
        socket.send_text("x" * 17)
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert (closed.value.code, closed.value.reason) == (1009, "message exceeds the 16-byte limit")


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    app = _echo_app(max_message_size=8)
    closed = _closed_by_server("/text", lambda s: s.send_text("é" * 5), app)
    assert closed[0] == 1009


def test_routes_limit_messages_to_one_mebibyte_by_default() -> None:
    closed = _closed_by_server("/text", lambda s: s.send_text("x" * (1024 * 1024 + 1)))
    assert closed == (1009, "message exceeds the 1048576-byte limit")


def test_max_message_size_none_lifts_the_limit() -> None:
    app = _echo_app(max_message_size=None)
    big = "x" * (1024 * 1024 + 1)
    with TestClient(app) as client, client.websocket_connect("/text") as socket:
        socket.send_text(big)
        assert socket.receive_text() == big


async def test_close_code_records_how_the_connection_ended() -> None:
    app = LexigramApp()
    seen: list[tuple[int | None, str | None]] = []

    @websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        seen.append((socket.close_code, socket.close_reason))
        with pytest.raises(WebSocketDisconnect):
            await socket.receive_text()
        seen.append((socket.close_code, socket.close_reason))

    app.add_route(ws)
    inbox: list[dict[str, Any]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.disconnect", "code": 4000, "reason": "done"},
    ]

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: Any) -> None:
        return None

    scope = {"type": "websocket", "path": "/ws", "query_string": b"", "headers": []}
    async with app.lifespan():
        with anyio.fail_after(5):
            await app(scope, receive, send)
    assert seen == [(None, None), (4000, "done")]


def test_a_starlette_websocket_can_be_wrapped() -> None:
    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b""}

    async def receive() -> Any:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        return None

    wrapped = WebSocket(StarletteWebSocket(scope, receive, send), max_message_size=10)
    assert wrapped.scope is scope
    assert wrapped.max_message_size == 10


def test_a_non_positive_size_limit_is_refused() -> None:
    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b""}

    async def receive() -> Any:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        return None

    with pytest.raises(ValueError, match="max_message_size must be at least 1"):
        WebSocket(scope, receive, send, max_message_size=0)
