"""A request body that stops arriving is answered 408 problem+json after ``body_timeout``
seconds (and the connection is closed), whichever way the handler reads it."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from pydantic import BaseModel
from starlette.types import Message

from lexigram.http_errors import HTTPError
from lexigram.web import LexigramApp, Request, WebConfig
from lexigram.web._config.settings import AppSettings
from lexigram.web._http.settings import receive_body_part

TIMEOUT = 0.2
BOUND = 5.0  # far above TIMEOUT: a hang fails instead of blocking the suite


class Item(BaseModel):
    name: str


def stalled_body(first: bytes) -> Any:
    """A receive channel that sends ``first`` (more to come) and then nothing at all."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": first, "more_body": True}
        await asyncio.Event().wait()
        raise AssertionError("not reached")

    return receive


async def post_with_stalled_body(app: LexigramApp, path: str) -> tuple[int, dict[str, str], Any]:
    """POST ``path`` declaring 100 bytes of JSON and sending 9; the answer's parts."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80),
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
    }  # fmt: skip
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async with app.lifespan():
        async with asyncio.timeout(BOUND):
            await app(scope, stalled_body(b'{"name": '), send)
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, orjson.loads(body)


async def test_a_stalled_json_body_is_answered_408_problem_json() -> None:
    app = LexigramApp(config=WebConfig(body_timeout=TIMEOUT))

    @app.post("/items")
    async def create(item: Item) -> Item:
        return item

    status, headers, problem = await post_with_stalled_body(app, "/items")
    assert status == 408
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert problem["status"] == 408
    assert problem["title"] == "Request Timeout"
    assert "no data for 0.2 seconds" in problem["detail"]


async def test_a_handler_streaming_the_request_is_answered_408_too() -> None:
    app = LexigramApp(config=WebConfig(body_timeout=TIMEOUT))

    @app.post("/upload")
    async def upload(request: Request) -> int:
        return sum([len(chunk) async for chunk in request.stream()])

    status, _, problem = await post_with_stalled_body(app, "/upload")
    assert status == 408
    assert problem["status"] == 408


async def test_the_default_body_timeout_is_thirty_seconds() -> None:
    assert WebConfig().body_timeout == 30.0
    assert AppSettings().body_timeout == 30.0
    assert LexigramApp().settings.body_timeout == 30.0


def test_a_body_timeout_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="body_timeout"):
        WebConfig(body_timeout=0)
    with pytest.raises(ValueError, match="body_timeout must be a positive number"):
        AppSettings(body_timeout=-1.0)


class CountingTimeouts:
    """``asyncio.timeout``, counting the timers the body read arms."""

    def __init__(self) -> None:
        self.armed = 0
        self.real = asyncio.timeout

    def __call__(self, delay: float | None) -> Any:
        self.armed += 1
        return self.real(delay)


async def test_a_body_part_already_there_arms_no_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    timeouts = CountingTimeouts()
    monkeypatch.setattr(asyncio, "timeout", timeouts)

    async def arrived() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    assert (await receive_body_part(arrived, TIMEOUT))["body"] == b"{}"
    assert timeouts.armed == 0


async def test_a_body_part_that_has_to_wait_arrives_under_the_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timeouts = CountingTimeouts()
    monkeypatch.setattr(asyncio, "timeout", timeouts)
    ready = asyncio.Event()

    async def later() -> Message:
        await ready.wait()
        return {"type": "http.request", "body": b"late", "more_body": False}

    asyncio.get_running_loop().call_later(0.01, ready.set)
    message = await asyncio.wait_for(receive_body_part(later, BOUND), BOUND * 2)
    assert message["body"] == b"late"
    assert timeouts.armed == 1


async def test_a_body_part_that_never_comes_is_408_after_the_stall_limit() -> None:
    async def never() -> Message:
        await asyncio.Event().wait()
        raise AssertionError("not reached")

    with pytest.raises(HTTPError) as refused:
        await asyncio.wait_for(receive_body_part(never, TIMEOUT), BOUND)
    assert refused.value.status_code == 408


async def test_an_awaitable_that_is_not_a_coroutine_is_waited_for_under_the_timer() -> None:
    def future_receive() -> Any:
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        return future

    with pytest.raises(HTTPError) as refused:
        await asyncio.wait_for(receive_body_part(future_receive, TIMEOUT), BOUND)
    assert refused.value.status_code == 408
