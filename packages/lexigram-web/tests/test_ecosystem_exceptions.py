"""Exceptions from Starlette and lexigram-http-errors behave like the web layer's own."""

from __future__ import annotations

from typing import Any, ClassVar

import anyio
import pytest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.exceptions import WebSocketException as StarletteWebSocketException
from starlette.websockets import WebSocketDisconnect as StarletteDisconnect

import lexigram.http_errors
from lexigram.http_errors import HandlerKey
from lexigram.web import (
    Controller,
    LexigramApp,
    WebSocket,
    WebSocketDisconnect,
    WebSocketHandler,
    get,
    websocket_handler,
)
from lexigram.web.testing import AsyncTestClient, TestClient


async def test_a_starlette_http_exception_answers_its_status_and_headers_as_a_problem() -> None:
    app = LexigramApp()

    @app.get("/orders/{order_id:int}")
    async def order(order_id: int) -> None:
        raise StarletteHTTPException(409, "order 7 was already paid", headers={"X-Order": "7"})

    async with AsyncTestClient(app) as client:
        response = await client.get("/orders/7")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-order"] == "7"
    assert response.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "order 7 was already paid",
        "instance": "/orders/7",
        "request_id": response.headers["x-request-id"],
    }


async def test_a_starlette_http_exception_reaches_a_filter_keyed_by_its_status() -> None:
    class Orders(Controller):
        exception_handlers: ClassVar[dict[HandlerKey, Any]] = {
            404: lambda request, exc: {"missing": True}
        }

        @get("/orders")
        async def orders(self) -> None:
            raise StarletteHTTPException(404)

    async with AsyncTestClient(LexigramApp(controllers=[Orders])) as client:
        response = await client.get("/orders")
    assert (response.status_code, response.json()) == (404, {"missing": True})


async def test_a_5xx_starlette_http_exception_is_logged_as_raised_on_purpose(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = LexigramApp()

    @app.get("/busy")
    async def busy() -> None:
        raise StarletteHTTPException(503, "maintenance", headers={"Retry-After": "30"})

    async with AsyncTestClient(app) as client:
        response = await client.get("/busy")
    assert (response.status_code, response.headers["retry-after"]) == (503, "30")
    assert [r.levelname for r in caplog.records if r.name == "lexigram.web"] == ["WARNING"]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_starlette_http_exception_refuses_a_websocket_handshake_as_a_problem() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        raise StarletteHTTPException(403, "not your room", headers={"X-Why": "room"})

    with TestClient(app) as client, pytest.raises(StarletteDisconnect) as denied:
        client.websocket_connect("/ws").__enter__()
    answer = denied.value
    assert getattr(answer, "status_code", None) == 403
    assert answer.headers["x-why"] == "room"  # type: ignore[attr-defined]
    assert answer.json()["detail"] == "not your room"  # type: ignore[attr-defined]


def test_a_starlette_websocket_exception_closes_a_route_with_its_code_and_reason() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        raise StarletteWebSocketException(4001, "token expired")

    with (
        TestClient(app) as client,
        client.websocket_connect("/ws") as socket,
        pytest.raises(StarletteDisconnect) as closed,
    ):
        socket.receive_text()
    assert (closed.value.code, closed.value.reason) == (4001, "token expired")


def test_a_starlette_websocket_exception_closes_a_handler_class_with_its_code() -> None:
    @websocket_handler("/chat")
    class Chat(WebSocketHandler):
        async def on_message(self, websocket: WebSocket, message: object) -> None:
            raise StarletteWebSocketException(4002, "muted")

    with (
        TestClient(LexigramApp(controllers=[Chat])) as client,
        client.websocket_connect("/chat") as socket,
    ):
        socket.send_json("hi")
        with pytest.raises(StarletteDisconnect) as closed:
            socket.receive_text()
    assert (closed.value.code, closed.value.reason) == (4002, "muted")


async def test_http_errors_websocket_disconnect_catches_a_client_leaving() -> None:
    caught: list[tuple[int, str]] = []
    app = LexigramApp()

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        try:
            await socket.receive_text()
        except lexigram.http_errors.WebSocketDisconnect as gone:
            caught.append((gone.code, gone.reason))

    inbox: list[dict[str, object]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.disconnect", "code": 1001, "reason": "tab closed"},
    ]

    async def receive() -> dict[str, object]:
        return inbox.pop(0)

    async def send(message: object) -> None:
        return None

    scope = {"type": "websocket", "path": "/ws", "query_string": b"", "headers": []}
    async with app.lifespan():
        with anyio.fail_after(5):
            await app(scope, receive, send)
    assert caught == [(1001, "tab closed")]


async def test_the_disconnect_the_web_layer_raises_is_caught_by_every_name() -> None:
    inbox: list[dict[str, object]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.disconnect", "code": 1001, "reason": "bye"},
    ]

    async def receive() -> dict[str, object]:
        return inbox.pop(0)

    async def send(message: object) -> None:
        return None

    socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    await socket.accept()
    with pytest.raises(WebSocketDisconnect) as gone:
        await socket.receive_text()
    assert isinstance(gone.value, lexigram.http_errors.WebSocketDisconnect)
    assert isinstance(gone.value, StarletteDisconnect)
    assert WebSocketDisconnect is StarletteDisconnect  # what the test client raises, too
    assert (gone.value.code, gone.value.reason) == (1001, "bye")


async def test_a_send_to_a_vanished_peer_raises_the_web_disconnect() -> None:
    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: object) -> None:
        if isinstance(message, dict) and message.get("type") == "websocket.send":
            raise OSError("connection reset")

    socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    await socket.accept()
    with pytest.raises(lexigram.http_errors.WebSocketDisconnect) as gone:
        await socket.send_text("hello?")
    assert gone.value.code == 1006
