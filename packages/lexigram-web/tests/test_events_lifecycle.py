"""Lifecycle events: typed payloads, sync and async subscribers, failures isolated, and no
publishing step at all when nobody subscribes."""

import dataclasses
import logging
from typing import Any

import pytest

from lexigram.web import (
    EventHub,
    LexigramApp,
    LifespanShutdownCompleted,
    LifespanStartupCompleted,
    RequestReceived,
    ResponsePrepared,
)
from lexigram.web._lifecycle import hub as hub_module
from lexigram.web.testing import AsyncTestClient, TestClient


def make_app() -> LexigramApp:
    app = LexigramApp()

    @app.get("/items/{id:int}")
    async def item(id: int) -> dict[str, int]:
        return {"id": id}

    return app


async def test_request_and_response_events_reach_sync_and_async_subscribers() -> None:
    app = make_app()
    seen: list[object] = []

    @app.on(RequestReceived)
    def received(event: RequestReceived) -> None:
        seen.append(event)

    async def prepared(event: ResponsePrepared) -> None:
        seen.append(event)

    app.on(ResponsePrepared, prepared)
    async with AsyncTestClient(app) as client:
        await client.get("/items/3")
        await client.get("/missing")
    assert seen == [
        RequestReceived(path="/items/3", method="GET"),
        ResponsePrepared(path="/items/3", status_code=200, method="GET"),
        RequestReceived(path="/missing", method="GET"),
        ResponsePrepared(path="/missing", status_code=404, method="GET"),
    ]


def test_payloads_are_frozen_dataclasses() -> None:
    event = RequestReceived(path="/", method="GET")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.path = "/other"  # type: ignore[misc]


async def test_a_failing_subscriber_is_logged_and_never_breaks_the_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    later: list[RequestReceived] = []

    def broken(event: RequestReceived) -> None:
        raise RuntimeError("subscriber bug")

    async def broken_async(event: ResponsePrepared) -> None:
        raise ValueError("async subscriber bug")

    app.on(RequestReceived, broken)
    app.on(RequestReceived, later.append)
    app.on(ResponsePrepared, broken_async)
    with caplog.at_level(logging.ERROR, logger="lexigram.web.events"):
        async with AsyncTestClient(app) as client:
            response = await client.get("/items/1")
    assert response.json() == {"id": 1}
    assert len(later) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("broken" in m and "RequestReceived" in m for m in messages)
    assert any("broken_async" in m and "ResponsePrepared" in m for m in messages)


def test_lifespan_events_follow_the_asgi_lifespan() -> None:
    app = make_app()
    seen: list[str] = []

    @app.on(LifespanStartupCompleted)
    async def started(event: LifespanStartupCompleted) -> None:
        assert event.app is app and app.started
        seen.append("startup")

    @app.on(LifespanShutdownCompleted)
    def stopped(event: LifespanShutdownCompleted) -> None:
        seen.append("shutdown")

    with TestClient(app) as client:
        client.get("/items/1")
        assert seen == ["startup"]
    assert seen == ["startup", "shutdown"]


async def test_nobody_subscribed_means_no_publishing_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def must_not_run(subscribers: Any, event: object) -> None:
        raise AssertionError(f"emit called for {event!r} with no subscribers")

    monkeypatch.setattr(hub_module, "emit", must_not_run)
    app = make_app()
    async with AsyncTestClient(app) as client:
        response = await client.get("/items/2")
        missing = await client.get("/nope")
    assert (response.status_code, missing.status_code) == (200, 404)


async def test_the_publishing_step_uses_emit_when_there_are_subscribers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[object] = []

    async def recording(subscribers: Any, event: object) -> None:
        published.append(event)

    monkeypatch.setattr(hub_module, "emit", recording)
    app = make_app()
    app.on(ResponsePrepared, lambda event: None)
    async with AsyncTestClient(app) as client:
        await client.get("/items/2")
    assert published == [ResponsePrepared(path="/items/2", status_code=200, method="GET")]


def test_wrap_returns_the_app_itself_without_request_subscribers() -> None:
    async def inner(scope: Any, receive: Any, send: Any) -> None: ...

    hub = EventHub()
    hub.on(LifespanStartupCompleted, lambda event: None)
    assert hub.wrap(inner) is inner
    hub.on(RequestReceived, lambda event: None)
    assert hub.wrap(inner) is not inner


async def test_subscribing_after_startup_is_refused() -> None:
    app = make_app()
    async with AsyncTestClient(app):
        with pytest.raises(RuntimeError, match="before startup"):
            app.on(RequestReceived, lambda event: None)


def test_only_event_classes_and_callables_can_be_subscribed() -> None:
    hub = EventHub()
    with pytest.raises(TypeError, match="event class"):
        hub.on("RequestReceived", print)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="callable"):
        hub.on(RequestReceived, "handler")  # type: ignore[call-overload]
