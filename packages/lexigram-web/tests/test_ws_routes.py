"""``@websocket`` routes on functions and controllers: binding, guards on the handshake, closes."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from lexigram.http_errors import UnauthorizedError, WebSocketException
from lexigram.web import Controller, LexigramApp, WebSocket, guard, websocket
from lexigram.web.testing import TestClient


class Greeting:
    def text(self) -> str:
        return "welcome"


class Chat(Controller):
    def __init__(self, greeting: Greeting) -> None:
        self.greeting = greeting

    @websocket("/chat/{room}")
    async def chat(self, socket: WebSocket, room: str) -> None:
        await socket.accept()
        await socket.send_json({"room": room, "hello": self.greeting.text()})
        message = await socket.receive_json()
        await socket.send_json({"echo": message})
        await socket.close()


class Deny:
    def can_activate(self, context: Any) -> bool:
        return False


class TokenGuard:
    def can_activate(self, context: Any) -> bool:
        if context.request.query_params.get("token") != "ok":
            raise UnauthorizedError("a token is required", www_authenticate="Bearer")
        return True


def test_controller_websocket_gets_path_params_and_services() -> None:
    app = LexigramApp(controllers=[Chat])
    app.singleton(Greeting)
    with TestClient(app) as client, client.websocket_connect("/chat/lobby") as socket:
        assert socket.receive_json() == {"room": "lobby", "hello": "welcome"}
        socket.send_json({"n": 1})
        assert socket.receive_json() == {"echo": {"n": 1}}


def _denial(exc: WebSocketDisconnect) -> WebSocketDenialResponse:
    """The HTTP answer the test client raises for a refused handshake."""
    assert isinstance(exc, WebSocketDenialResponse), (
        f"the handshake was closed, not answered: {exc!r}"
    )
    return exc


def test_a_refused_handshake_gets_a_403_problem_when_the_server_can_send_one() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    @guard(Deny())
    async def ws(socket: WebSocket) -> None:
        await socket.accept()

    with TestClient(app) as client, pytest.raises(WebSocketDisconnect) as denied:
        client.websocket_connect("/ws").__enter__()
    assert _denial(denied.value).status_code == 403
    assert _denial(denied.value).headers["content-type"] == "application/problem+json"
    assert _denial(denied.value).json()["detail"] == "access denied by Deny"


def test_a_guard_raising_401_answers_the_handshake_with_401() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    @guard(TokenGuard())
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("in")

    with TestClient(app) as client:
        with pytest.raises(WebSocketDisconnect) as denied:
            client.websocket_connect("/ws").__enter__()
        with client.websocket_connect("/ws?token=ok") as socket:
            assert socket.receive_text() == "in"
    assert _denial(denied.value).status_code == 401
    assert _denial(denied.value).headers["www-authenticate"] == "Bearer"


async def _handshake_without_extensions(app: LexigramApp, path: str) -> list[dict[str, Any]]:
    """Drive one WebSocket connection of a server without the denial-response extension."""
    sent: list[dict[str, Any]] = []
    inbox = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        if inbox:
            return inbox.pop(0)
        await anyio.sleep_forever()
        raise AssertionError("not reached")

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": path, "query_string": b"", "headers": []}
    async with app.lifespan():
        with anyio.fail_after(5):
            await app(scope, receive, send)
    return sent


async def test_a_refused_handshake_closes_with_1008_without_the_extension() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    @guard(Deny())
    async def ws(socket: WebSocket) -> None:
        await socket.accept()

    sent = await _handshake_without_extensions(app, "/ws")
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]


@pytest.mark.parametrize(
    ("error", "debug", "close"),
    [
        (WebSocketException(4001, "room is full"), False, (4001, "room is full")),
        (RuntimeError("database password is hunter2"), False, (1011, "")),
        (RuntimeError("boom"), True, (1011, "RuntimeError: boom")),
        (UnauthorizedError("session expired"), False, (1008, "session expired")),
    ],
    ids=[
        "websocket-exception-closes-with-its-code-and-reason",
        "an-unexpected-error-closes-with-1011-and-no-internal-text",
        "in-debug-mode-the-1011-reason-names-the-error",
        "an-http-error-closes-with-1008-and-its-detail",
    ],
)
def test_an_error_after_accept_closes_with_the_code_it_calls_for(
    error: Exception, debug: bool, close: tuple[int, str]
) -> None:
    app = LexigramApp(debug=debug)

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        raise error

    with (
        TestClient(app) as client,
        client.websocket_connect("/ws") as socket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        socket.receive_text()
    assert (closed.value.code, closed.value.reason) == close


def test_a_handler_returning_without_closing_closes_with_1000() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("bye")

    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        assert socket.receive_text() == "bye"
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert closed.value.code == 1000


def test_a_bad_query_parameter_refuses_the_handshake_with_422() -> None:
    app = LexigramApp()

    @app.websocket("/ws")
    async def ws(socket: WebSocket, page: int) -> None:
        await socket.accept()

    with TestClient(app) as client, pytest.raises(WebSocketDisconnect) as denied:
        client.websocket_connect("/ws?page=x").__enter__()
    assert _denial(denied.value).status_code == 422
    assert _denial(denied.value).json()["errors"][0]["loc"] == ["query", "page"]


def test_an_unknown_websocket_path_is_closed_with_1008() -> None:
    app = LexigramApp()
    with TestClient(app) as client, pytest.raises(WebSocketDisconnect) as closed:
        client.websocket_connect("/nowhere").__enter__()
    assert closed.value.code == 1008
