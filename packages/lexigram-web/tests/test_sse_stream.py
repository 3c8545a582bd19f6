"""``@sse`` routes and ``EventSourceResponse`` through the ASGI app: streaming, Last-Event-ID,
heartbeats, client disconnects, the connection cap."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import pytest

from lexigram.web import (
    Controller,
    EventSourceResponse,
    LexigramApp,
    ServerSentEvent,
    guard,
    sse,
)
from lexigram.web.testing import TestClient

DEADLINE = 5.0


class StreamClient:
    """One in-process HTTP request whose client can disconnect at any time."""

    def __init__(self, app: LexigramApp, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.scope = {
            "type": "http", "method": "GET", "path": path, "query_string": b"",
            "headers": headers,
        }  # fmt: skip
        self.messages: list[dict[str, Any]] = []
        self.gone = anyio.Event()
        self.finished = anyio.Event()
        self._changed = anyio.Event()
        self._asked = False

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Any) -> None:
        self.messages.append(message)
        self._notify()

    async def run(self) -> None:
        try:
            await self.app(self.scope, self.receive, self.send)
        finally:
            self.finished.set()
            self._notify()

    @property
    def status(self) -> int:
        status: int = self.messages[0]["status"]
        return status

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        with anyio.fail_after(DEADLINE):
            while not condition():
                await self._changed.wait()


def test_an_sse_route_streams_events_with_event_stream_headers() -> None:
    app = LexigramApp()

    @app.sse("/ticks")
    async def ticks() -> AsyncIterator[Any]:
        yield ServerSentEvent(data={"n": 1}, event="tick", id="1")
        yield "plain text"

    with TestClient(app) as client:
        response = client.get("/ticks")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == 'id: 1\nevent: tick\ndata: {"n":1}\n\ndata: plain text\n\n'


def test_last_event_id_is_passed_to_the_generator() -> None:
    app = LexigramApp()

    @app.sse("/feed")
    async def feed(last_event_id: str | None) -> AsyncIterator[ServerSentEvent]:
        start = int(last_event_id) + 1 if last_event_id is not None else 0
        for n in range(start, start + 2):
            yield ServerSentEvent(data=n, id=str(n))

    with TestClient(app) as client:
        first = client.get("/feed").text
        resumed = client.get("/feed", headers={"Last-Event-ID": "5"}).text
    assert first == "id: 0\ndata: 0\n\nid: 1\ndata: 1\n\n"
    assert resumed == "id: 6\ndata: 6\n\nid: 7\ndata: 7\n\n"


async def test_a_client_disconnect_stops_the_generator_and_runs_its_finally() -> None:
    app = LexigramApp()
    finished: list[str] = []

    @app.sse("/stream")
    async def stream() -> AsyncIterator[int]:
        try:
            yield 1
            await anyio.sleep_forever()
            yield 2
        finally:
            finished.append("finally ran")

    async with app.lifespan():
        client = StreamClient(app, "/stream", [])
        async with anyio.create_task_group() as group:
            group.start_soon(client.run)
            await client.wait_for(lambda: b"data: 1" in client.body)
            client.gone.set()
            await client.wait_for(client.finished.is_set)
    assert finished == ["finally ran"]
    assert client.status == 200


async def test_heartbeat_comments_are_sent_while_the_stream_is_idle() -> None:
    app = LexigramApp()

    @app.sse("/idle", heartbeat=0.01)
    async def idle() -> AsyncIterator[int]:
        await anyio.sleep_forever()
        yield 0

    async with app.lifespan():
        client = StreamClient(app, "/idle", [])
        async with anyio.create_task_group() as group:
            group.start_soon(client.run)
            await client.wait_for(lambda: client.body.count(b": ping\n\n") >= 2)
            client.gone.set()
    assert client.body.startswith(b": ping\n\n")


async def test_max_connections_answers_503_until_a_stream_ends() -> None:
    app = LexigramApp()

    @app.sse("/capped", max_connections=1)
    async def capped() -> AsyncIterator[str]:
        yield "hello"
        await anyio.sleep_forever()

    async with app.lifespan():
        first = StreamClient(app, "/capped", [])
        async with anyio.create_task_group() as group:
            group.start_soon(first.run)
            await first.wait_for(lambda: b"hello" in first.body)
            refused = StreamClient(app, "/capped", [])
            await refused.run()
            first.gone.set()
            await first.wait_for(first.finished.is_set)
            again = StreamClient(app, "/capped", [])
            group.start_soon(again.run)
            await again.wait_for(lambda: b"hello" in again.body)
            again.gone.set()
    assert refused.status == 503
    headers = dict(refused.messages[0]["headers"])
    assert headers[b"content-type"] == b"application/problem+json"
    assert b"already has its 1 open connections" in refused.body
    assert again.status == 200


def test_an_error_in_the_generator_ends_the_stream_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = LexigramApp()

    @app.sse("/broken")
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise RuntimeError("feed lost")

    with caplog.at_level(logging.ERROR, "lexigram.web"), TestClient(app) as client:
        response = client.get("/broken")
    assert (response.status_code, response.text) == (200, "data: 1\n\n")
    assert any("event stream's content failed" in r.getMessage() for r in caplog.records)


class Prices:
    def quote(self) -> float:
        return 9.5


class Ticker(Controller):
    prefix = "/market"

    def __init__(self, prices: Prices) -> None:
        self.prices = prices

    @sse("/prices", heartbeat=None)
    async def stream(self, symbol: str) -> AsyncIterator[dict[str, Any]]:
        yield {"symbol": symbol, "price": self.prices.quote()}


def test_a_controller_method_can_be_an_sse_route_with_services_and_query() -> None:
    app = LexigramApp(controllers=[Ticker])
    app.singleton(Prices)
    with TestClient(app) as client:
        response = client.get("/market/prices?symbol=LXG")
        missing = client.get("/market/prices")
    assert response.text == 'data: {"symbol":"LXG","price":9.5}\n\n'
    assert missing.status_code == 422


class Deny:
    def can_activate(self, context: Any) -> bool:
        return False


def test_guards_refuse_before_the_stream_starts() -> None:
    app = LexigramApp()
    started: list[bool] = []

    @app.sse("/private")
    @guard(Deny())
    async def private() -> AsyncIterator[int]:
        started.append(True)
        yield 1

    with TestClient(app) as client:
        response = client.get("/private")
    assert response.status_code == 403
    assert started == []


def test_an_event_source_response_can_be_returned_from_any_handler() -> None:
    app = LexigramApp()

    def numbers() -> Any:
        yield from (1, 2)

    @app.get("/numbers")
    async def handler() -> EventSourceResponse:
        return EventSourceResponse(numbers(), headers={"X-Feed": "numbers"})

    with TestClient(app) as client:
        response = client.get("/numbers")
        head = client.head("/numbers")
    assert response.text == "data: 1\n\ndata: 2\n\n"
    assert response.headers["x-feed"] == "numbers"
    assert (head.status_code, head.text) == (200, "")


def test_sse_decorates_only_async_generators() -> None:
    async def not_a_generator() -> int:
        return 1

    with pytest.raises(TypeError, match="async generator function"):
        sse("/x")(not_a_generator)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"heartbeat": 0}, "heartbeat must be a positive number"),
        ({"max_connections": 0}, "max_connections must be at least 1"),
    ],
)
def test_bad_sse_options_fail_at_declaration(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sse("/x", **options)
