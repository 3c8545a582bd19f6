"""``BackgroundTasks``: after the response, in the request's context, failures isolated."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

import pytest

from lexigram.web import BackgroundTasks, LexigramApp
from lexigram.web.testing import TestClient

request_tag: contextvars.ContextVar[str] = contextvars.ContextVar("request_tag", default="none")


def test_tasks_run_after_the_response_in_the_request_context() -> None:
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
        tasks.add_task(record_sync, label="sync")
        done.append("handler")
        return "queued"

    with TestClient(app) as client:
        response = client.post("/work")
    assert response.json() == "queued"
    assert done == ["handler", "async:req-1", "sync:req-1"]


async def test_tasks_start_after_the_response_body_is_sent() -> None:
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


def test_a_failing_task_is_logged_with_the_request_id_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = LexigramApp()
    done: list[str] = []

    async def fail() -> None:
        raise RuntimeError("task failed")

    def fail_sync() -> None:
        raise ValueError("sync task failed")

    async def ok() -> None:
        done.append("ok")

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add(fail)
        tasks.add(fail_sync)
        tasks.add(ok)
        return {"status": "accepted"}

    with caplog.at_level(logging.ERROR, "lexigram.web"), TestClient(app) as client:
        response = client.post("/work", headers={"X-Request-ID": "req-42"})
    assert (response.status_code, response.json()) == (200, {"status": "accepted"})
    assert done == ["ok"]
    failures = [r for r in caplog.records if r.getMessage().startswith("background task")]
    assert [r.getMessage() for r in failures] == [
        "background task test_a_failing_task_is_logged_with_the_request_id_and_the_others_still_"
        "run.<locals>.fail failed (request req-42)",
        "background task test_a_failing_task_is_logged_with_the_request_id_and_the_others_still_"
        "run.<locals>.fail_sync failed (request req-42)",
    ]
    assert [getattr(r, "request_id", None) for r in failures] == ["req-42", "req-42"]


def test_tasks_run_even_when_the_handler_failed() -> None:
    app = LexigramApp()
    done: list[str] = []

    async def cleanup() -> None:
        done.append("cleanup")

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> None:
        tasks.add(cleanup)
        raise LookupError("no such thing")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/work").status_code == 500
    assert done == ["cleanup"]


def test_adding_a_task_after_the_response_was_sent_raises() -> None:
    app = LexigramApp()
    kept: list[BackgroundTasks] = []

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> None:
        kept.append(tasks)

    with TestClient(app) as client:
        client.post("/work")
    with pytest.raises(RuntimeError, match="already ran"):
        kept[0].add(print)
    assert kept[0].closed


def test_an_async_callable_object_is_awaited() -> None:
    app = LexigramApp()
    done: list[str] = []

    class Notify:
        async def __call__(self, who: str) -> None:
            done.append(who)

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> None:
        tasks.add(Notify(), "ann")

    with TestClient(app) as client:
        client.post("/work")
    assert done == ["ann"]


def test_each_request_gets_its_own_tasks() -> None:
    app = LexigramApp()
    seen: list[int] = []

    @app.post("/work")
    async def work(tasks: BackgroundTasks) -> None:
        seen.append(len(tasks))
        tasks.add(print, end="")

    with TestClient(app) as client:
        client.post("/work")
        client.post("/work")
    assert seen == [0, 0]
