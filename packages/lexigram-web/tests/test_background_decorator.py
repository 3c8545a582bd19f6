"""``@background``: deferred to after the response inside a request, immediate outside one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lexigram.web import LexigramApp, WebSocket, background, current_request_id
from lexigram.web.testing import TestClient


class Mailer:
    def __init__(self) -> None:
        self.events: list[str] = []

    @background
    async def send_welcome(self, user: str) -> None:
        self.events.append(f"mail to {user} (request {current_request_id()})")


def _app(mailer: Mailer) -> LexigramApp:
    app = LexigramApp()
    app.container.register(Mailer, instance=mailer)

    @app.post("/users/{user}")
    async def register(user: str, mailer: Mailer) -> dict[str, str]:
        await mailer.send_welcome(user)
        mailer.events.append("handler returned")
        return {"user": user}

    return app


def test_a_call_inside_a_request_runs_after_the_response() -> None:
    mailer = Mailer()
    with TestClient(_app(mailer)) as client:
        response = client.post("/users/ann", headers={"X-Request-ID": "r-1"})
    assert response.json() == {"user": "ann"}
    assert mailer.events == ["handler returned", "mail to ann (request r-1)"]


async def test_the_deferred_call_starts_after_the_body_was_sent() -> None:
    mailer = Mailer()
    app = _app(mailer)
    events: list[str] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        events.append(f"{message['type']} (mails so far: {len(mailer.events) - 1})")

    scope = {"type": "http", "method": "POST", "path": "/users/bo", "query_string": b"",
             "headers": []}  # fmt: skip
    async with app.lifespan():
        await app(scope, receive, send)
    assert events == [
        "http.response.start (mails so far: 0)",
        "http.response.body (mails so far: 0)",
    ]
    assert mailer.events[-1].startswith("mail to bo")


async def test_outside_a_request_the_call_runs_immediately() -> None:
    mailer = Mailer()
    await mailer.send_welcome("cy")
    assert mailer.events == ["mail to cy (request None)"]


def test_inside_a_websocket_handler_the_call_runs_immediately() -> None:
    mailer = Mailer()
    app = LexigramApp()
    app.container.register(Mailer, instance=mailer)

    @app.websocket("/ws")
    async def ws(socket: WebSocket, mailer: Mailer) -> None:
        await socket.accept()
        await mailer.send_welcome("dee")
        await socket.send_text(str(len(mailer.events)))

    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        assert socket.receive_text() == "1"


def test_a_deferred_call_made_by_a_background_task_also_runs() -> None:
    app = LexigramApp()
    done: list[str] = []

    @background
    async def second() -> None:
        done.append("second")

    @background
    async def first() -> None:
        done.append("first")
        await second()
        done.append("first done")

    @app.post("/chain")
    async def chain() -> None:
        await first()

    with TestClient(app) as client:
        assert client.post("/chain").status_code == 204
    assert done == ["first", "first done", "second"]


def test_a_task_that_outlives_its_request_runs_the_call_itself() -> None:
    app = LexigramApp()
    done: list[str] = []
    started: list[asyncio.Task[None]] = []

    @background
    async def note(label: str) -> None:
        done.append(label)

    async def later(release: asyncio.Event) -> None:
        await release.wait()
        await note("after the request")

    release = asyncio.Event()

    @app.post("/spawn")
    async def spawn() -> None:
        started.append(asyncio.create_task(later(release)))

    @app.post("/release")
    async def release_it() -> None:
        release.set()
        await started[0]

    with TestClient(app) as client:
        client.post("/spawn")
        client.post("/release")
    assert done == ["after the request"]


def test_background_needs_a_coroutine_function() -> None:
    def plain() -> None:
        return None

    with pytest.raises(TypeError, match=r"BackgroundTasks.add\(func"):
        background(plain)  # type: ignore[arg-type]


def test_the_original_function_stays_reachable() -> None:
    async def job() -> None:
        return None

    assert background(job).__wrapped__ is job  # type: ignore[attr-defined]
