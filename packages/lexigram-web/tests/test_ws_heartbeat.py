"""The message heartbeat of ``websocket_handler(ping_interval=, ping_timeout=)``."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from lexigram.web import LexigramApp, WebSocket, WebSocketHandler
from lexigram.web.testing import TestClient


def _app(seen: list[Any], encoding: str = "json", timeout: float = 5.0) -> LexigramApp:
    """Pings every 20 ms; ``timeout`` is generous unless a test wants it to expire."""
    app = LexigramApp()

    @app.websocket_handler("/live", ping_interval=0.02, ping_timeout=timeout)
    class Live(WebSocketHandler):
        async def on_message(self, websocket: WebSocket, message: Any) -> None:
            seen.append(message)
            await websocket.send_json({"echo": message})

        async def on_disconnect(self, websocket: WebSocket) -> None:
            seen.append(("closed", websocket.close_code, websocket.close_reason))

    Live.encoding = encoding  # type: ignore[assignment]
    return app


def test_pings_arrive_and_answered_pongs_keep_the_connection_open() -> None:
    seen: list[Any] = []
    with TestClient(_app(seen)) as client, client.websocket_connect("/live") as socket:
        for _ in range(3):
            assert socket.receive_json() == {"type": "ping"}
            socket.send_json({"type": "pong"})
        socket.send_json("still here")
        message = socket.receive_json()
        while message == {"type": "ping"}:
            socket.send_json({"type": "pong"})
            message = socket.receive_json()
        assert message == {"echo": "still here"}
    assert seen[0] == "still here"


def test_a_missing_pong_closes_with_1011_ping_timeout() -> None:
    seen: list[Any] = []
    app = _app(seen, timeout=0.05)
    with TestClient(app) as client, client.websocket_connect("/live") as socket:
        assert socket.receive_json() == {"type": "ping"}
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert (closed.value.code, closed.value.reason) == (1011, "ping timeout")
    assert seen == [("closed", 1011, "ping timeout")]


def test_text_handlers_ping_with_plain_text() -> None:
    seen: list[Any] = []
    with TestClient(_app(seen, "text")) as client, client.websocket_connect("/live") as socket:
        assert socket.receive_text() == "ping"
        socket.send_text("pong")
        assert socket.receive_text() == "ping"
    assert "pong" not in seen
