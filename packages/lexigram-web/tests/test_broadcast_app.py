"""The app's broadcaster: built from the configuration (or given), injected into handlers,
followed by ``@sse`` routes, started and closed with the app, and its health."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.types import Message

from lexigram.di import BootError
from lexigram.web import (
    BroadcastConfig,
    Broadcaster,
    ConfigurationError,
    LexigramApp,
    MemoryBroadcaster,
    ServerSentEvent,
    WebConfig,
)
from lexigram.web.testing import TestClient

DEADLINE = 5.0


class Stream:
    """One in-process GET whose response body is read as it streams."""

    def __init__(self, app: LexigramApp, path: str) -> None:
        self.app = app
        self.path = path
        self.body = b""
        self.gone = asyncio.Event()
        self.changed = asyncio.Event()
        self.asked = False
        self.task: asyncio.Task[None] | None = None

    async def _receive(self) -> Message:
        if not self.asked:
            self.asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        self.body += message.get("body", b"")
        self.changed.set()

    def open(self) -> None:
        scope = {"type": "http", "method": "GET", "path": self.path, "query_string": b"",
                 "headers": []}  # fmt: skip
        self.task = asyncio.create_task(self.app(scope, self._receive, self._send))

    async def wait_for(self, text: bytes) -> None:
        async with asyncio.timeout(DEADLINE):
            while text not in self.body:
                self.changed.clear()
                await self.changed.wait()

    async def close(self) -> None:
        self.gone.set()
        assert self.task is not None
        async with asyncio.timeout(DEADLINE):
            await self.task


def _app_with_feed(**options: Any) -> tuple[LexigramApp, list[int]]:
    app = LexigramApp(**options)
    delivered: list[int] = []

    @app.sse("/events")
    async def events(broadcaster: Broadcaster) -> AsyncIterator[ServerSentEvent]:
        async with broadcaster.subscribe("news") as messages:
            yield ServerSentEvent(comment="following")
            async for message in messages:
                yield ServerSentEvent(message.decode(), event="news")

    @app.post("/news")
    async def publish(text: str, broadcaster: Broadcaster) -> None:
        delivered.append(await broadcaster.publish("news", text.encode()))

    return app, delivered


async def test_an_sse_route_follows_a_channel_through_the_injected_broadcaster() -> None:
    app, delivered = _app_with_feed()
    async with app.lifespan():
        stream = Stream(app, "/events")
        stream.open()
        await stream.wait_for(b": following")
        assert isinstance(app.broadcaster, MemoryBroadcaster)
        await app.broadcaster.publish("news", b"hello")
        await stream.wait_for(b"event: news\ndata: hello\n")
        await stream.close()
        assert await app.broadcaster.publish("news", b"nobody left") == 0
    assert delivered == []


def test_a_handler_publishes_through_the_app_broadcaster() -> None:
    app, delivered = _app_with_feed()
    with TestClient(app) as client:
        assert client.post("/news", params={"text": "x"}).status_code == 204
    assert delivered == [0]


async def test_a_broadcaster_given_to_the_app_is_used_and_closed_at_shutdown() -> None:
    given = MemoryBroadcaster(queue_size=5)
    app = LexigramApp(broadcaster=given)
    async with app.lifespan():
        assert app.broadcaster is given
        assert await app.container.aresolve(Broadcaster) is given
        subscription = given.subscribe("c")
        await subscription.__aenter__()
    assert not subscription.active
    async with app.lifespan(), given.subscribe("c") as again:  # started again
        assert again.active
    assert app.broadcaster is None


async def test_a_broadcaster_registered_in_the_container_is_used_and_left_to_its_owner() -> None:
    own = MemoryBroadcaster()
    app = LexigramApp()
    app.container.singleton(Broadcaster, instance=own)
    async with app.lifespan(), own.subscribe("c") as subscription:
        assert app.broadcaster is own
    assert subscription.active is False  # left by the block, not closed by the app
    async with own.subscribe("c") as again:
        assert again.active


async def test_a_registered_broadcaster_and_a_given_one_are_refused() -> None:
    app = LexigramApp(broadcaster=MemoryBroadcaster())
    app.container.singleton(Broadcaster, instance=MemoryBroadcaster())
    with pytest.raises(BootError, match="keep one of them") as caught:
        await app.startup()
    assert isinstance(caught.value.__cause__, ConfigurationError)


async def test_broadcaster_takes_a_broadcaster() -> None:
    app = LexigramApp(broadcaster=object())
    with pytest.raises(TypeError, match=r"broadcaster= takes a Broadcaster"):
        await app.startup()


async def test_an_app_started_again_builds_a_fresh_broadcaster() -> None:
    app = LexigramApp()
    async with app.lifespan():
        first = app.broadcaster
    async with app.lifespan():
        assert app.broadcaster is not first
        assert app.broadcaster is not None
        async with app.broadcaster.subscribe("c"):
            assert await app.broadcaster.publish("c", b"x") == 1
        assert await app.container.aresolve(Broadcaster) is app.broadcaster


def test_the_configured_queue_settings_reach_the_memory_broadcaster() -> None:
    config = WebConfig(broadcast=BroadcastConfig(queue_size=7, on_overflow="disconnect"))
    app = LexigramApp(config=config)
    with TestClient(app):
        assert isinstance(app.broadcaster, MemoryBroadcaster)
        fanout = app.broadcaster._fanout  # pyright: ignore[reportPrivateUsage]
        assert (fanout.queue_size, fanout.disconnect_on_overflow) == (7, True)


def test_the_in_process_broadcaster_is_not_listed_by_the_health_probes() -> None:
    with TestClient(LexigramApp()) as client:
        assert client.get("/health").json() == {"status": "healthy", "checks": {}}


def test_the_redis_backend_without_redis_py_fails_at_startup_naming_the_install() -> None:
    script = """
import sys, asyncio
sys.modules["redis"] = None  # redis-py not installed
from lexigram.web import BroadcastConfig, LexigramApp, WebConfig
config = WebConfig(broadcast=BroadcastConfig(backend="redis", url="redis://127.0.0.1:1/0"))
try:
    asyncio.run(LexigramApp(config=config).startup())
except Exception as exc:
    print(type(exc).__name__, exc)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "BootError" in result.stdout
    assert 'pip install "lexigram-web[redis]"' in result.stdout


def test_importing_lexigram_web_redis_without_redis_py_names_the_install() -> None:
    script = """
import sys
sys.modules["redis"] = None
try:
    import lexigram.web.redis
except ImportError as exc:
    print(exc)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == (
        'lexigram.web.redis needs redis-py: pip install "lexigram-web[redis]"'
    )
