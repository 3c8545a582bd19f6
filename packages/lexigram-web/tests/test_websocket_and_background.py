"""WebSocket routes and background tasks."""

import contextvars
from typing import Any

from lexigram.web import BackgroundTasks, Controller, LexigramApp, WebSocket, guard, websocket
from lexigram.web.testing import TestClient

request_tag: contextvars.ContextVar[str] = contextvars.ContextVar("request_tag", default="none")


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


def test_websocket_handler_gets_path_params_and_services() -> None:
    app = LexigramApp(controllers=[Chat])
    app.singleton(Greeting)
    with TestClient(app) as client, client.websocket_connect("/chat/lobby") as socket:
        assert socket.receive_json() == {"room": "lobby", "hello": "welcome"}
        socket.send_json({"n": 1})
        assert socket.receive_json() == {"echo": {"n": 1}}


def test_websocket_guard_refusal_closes_the_connection() -> None:
    app = LexigramApp()
    closed: list[int] = []

    @app.websocket("/ws")
    @guard(Deny())
    async def ws(socket: WebSocket) -> None:
        await socket.accept()

    with TestClient(app) as client:
        try:
            with client.websocket_connect("/ws") as socket:
                socket.receive_text()
        except Exception as exc:
            closed.append(getattr(exc, "code", 0))
    assert closed == [1008]


def test_background_tasks_run_after_the_response_in_the_request_context() -> None:
    app = LexigramApp()
    done: list[str] = []

    async def record(label: str) -> None:
        done.append(f"{label}:{request_tag.get()}")

    def record_sync(label: str) -> None:
        done.append(f"{label}:{request_tag.get()}")

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> str:
        request_tag.set("req-1")
        tasks.add(record, "async")
        tasks.add_task(record_sync, "sync")
        done.append("handler")
        return "queued"

    with TestClient(app) as client:
        response = client.post("/work")
    assert response.json() == "queued"
    assert done == ["handler", "async:req-1", "sync:req-1"]


def test_failing_background_task_does_not_stop_the_others() -> None:
    app = LexigramApp()
    done: list[str] = []

    async def fail() -> None:
        raise RuntimeError("task failed")

    async def ok() -> None:
        done.append("ok")

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> None:
        tasks.add(fail)
        tasks.add(ok)

    with TestClient(app) as client:
        assert client.post("/work").status_code == 204
    assert done == ["ok"]


async def test_background_tasks_start_after_the_response_body_is_sent() -> None:
    app = LexigramApp()
    events: list[str] = []

    async def task() -> None:
        events.append("task")

    @app.get("/t")
    async def t(tasks: BackgroundTasks) -> int:
        tasks.add(task)
        return 1

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        events.append(message["type"])

    scope = {"type": "http", "method": "GET", "path": "/t", "query_string": b"", "headers": []}
    async with app.lifespan():
        await app(scope, receive, send)
    assert events == ["http.response.start", "http.response.body", "task"]


def test_websocket_guard_reads_the_connection_as_context_request() -> None:
    app = LexigramApp()

    class TokenGuard:
        def can_activate(self, context: Any) -> bool:
            return bool(context.request.query_params.get("token") == "ok")

    @app.websocket("/ws")
    @guard(TokenGuard())
    async def ws(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("in")
        await socket.close()

    with TestClient(app) as client, client.websocket_connect("/ws?token=ok") as socket:
        assert socket.receive_text() == "in"
