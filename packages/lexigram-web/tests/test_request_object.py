"""One request object: handlers, guards, interceptors and exception filters see the same one."""

from typing import Any

from starlette.datastructures import Headers

from lexigram.web import (
    CallHandlerProtocol,
    ExecutionContext,
    LexigramApp,
    Request,
    WebSocket,
    use_guards,
    use_interceptors,
)
from lexigram.web.testing import AsyncTestClient, TestClient


class RecordingGuard:
    def __init__(self, seen: dict[str, Any]) -> None:
        self.seen = seen

    def can_activate(self, context: ExecutionContext) -> bool:
        self.seen["guard"] = context
        return True


class RecordingInterceptor:
    def __init__(self, seen: dict[str, Any]) -> None:
        self.seen = seen

    async def intercept(self, context: ExecutionContext, next_handler: CallHandlerProtocol) -> Any:
        self.seen["interceptor"] = context
        return await next_handler.handle()


class Boom(Exception):
    pass


async def test_handler_guard_interceptor_and_filter_receive_one_request() -> None:
    app = LexigramApp()
    seen: dict[str, Any] = {}

    async def on_boom(request: Any, exc: Boom) -> dict[str, str]:
        seen["filter"] = request
        return {"handled": "yes"}

    app.add_exception_handler(Boom, on_boom)

    @app.get("/items/{id:int}")
    @use_guards(RecordingGuard(seen))
    @use_interceptors(RecordingInterceptor(seen))
    async def item(id: int, request: Request, context: ExecutionContext) -> None:
        seen["request"] = request
        seen["context"] = context
        raise Boom()

    async with AsyncTestClient(app) as client:
        response = await client.get("/items/7?q=1")
    assert response.json() == {"handled": "yes"}
    request = seen["request"]
    assert isinstance(request, Request)
    assert all(seen is request for seen in seen.values()), seen
    assert request.request is request
    assert request.path_params == {"id": 7}
    assert request.validated_data == {"id": 7, "request": request, "context": request}
    assert request.handler is item
    assert request.query == {"q": "1"}


def test_a_websocket_route_guard_receives_the_websocket_the_handler_gets() -> None:
    app = LexigramApp()

    seen: dict[str, Any] = {}

    @app.websocket("/ws/{room}")
    @use_guards(RecordingGuard(seen))
    async def chat(socket: WebSocket, context: ExecutionContext) -> None:
        seen["socket"] = socket
        seen["context"] = context
        await socket.accept()
        await socket.send_text(f"{context.method} {context.path_params['room']}")
        await socket.close()

    with TestClient(app) as client, client.websocket_connect("/ws/lobby") as socket:
        assert socket.receive_text() == "WEBSOCKET lobby"
    websocket = seen["socket"]
    assert isinstance(websocket, WebSocket)
    assert seen["guard"] is websocket
    assert seen["context"] is websocket


async def test_a_request_built_outside_a_route_answers_without_one() -> None:
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""}
    request = Request(scope)
    assert request.route_metadata == {}
    assert request.path_params == {}
    assert request.validated_data == {}
    assert request.app is None


def test_request_headers_are_case_insensitive_and_keep_every_value() -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": [
            (b"x-tag", b"a"),
            (b"x-tag", b"b"),
            (b"content-type", b"Application/JSON; q=1"),
        ],
        "query_string": b"",
    }
    request = Request(scope)
    assert request.headers.get("X-Tag") == "a"
    assert request.headers.get("missing", "none") == "none"
    assert request.headers.getlist("x-tag") == ["a", "b"]
    assert request.headers["CONTENT-TYPE"] == "Application/JSON; q=1"
    assert request.content_type == "application/json"
    assert request.is_json


def test_request_headers_are_starlette_headers_over_the_scope_list_built_once() -> None:
    raw = ((b"host", b"example.org"), (b"x-tag", b"a"))
    scope: dict[str, Any] = {
        "type": "http", "method": "GET", "path": "/x", "headers": raw, "query_string": b"",
    }  # fmt: skip
    request = Request(scope)
    headers = request.headers
    assert isinstance(headers, Headers)
    assert request.headers is headers
    assert scope["headers"] == list(raw)
    assert headers.raw == scope["headers"]
    assert headers.get("HOST") == "example.org"
    assert headers.get("x-missing") is None
    assert dict(headers) == {"host": "example.org", "x-tag": "a"}
