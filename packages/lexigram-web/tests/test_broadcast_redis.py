"""The Redis broadcaster against a real redis-server: delivery between broadcasters, one
subscriber connection per process, reconnection after a restart or a freeze, bounded
publishes, bounded queues, health, and WebSocket handler broadcasts between apps."""

from __future__ import annotations

import asyncio
import time
import typing
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from _redis import RedisServer
from _waiting import DEADLINE, until, wait_until

from lexigram.web import (
    BroadcastConfig,
    Broadcaster,
    BroadcastOverflowError,
    BroadcastUnavailableError,
    LexigramApp,
    WebConfig,
    WebSocket,
    WebSocketHandler,
)
from lexigram.web.redis import RedisBroadcaster
from lexigram.web.testing import TestClient

pytestmark = pytest.mark.extra("redis")


@asynccontextmanager
async def broadcaster(server: RedisServer, **options: Any) -> AsyncIterator[RedisBroadcaster]:
    made = RedisBroadcaster(server.url, **options)
    await made.start()
    try:
        yield made
    finally:
        await made.aclose()


async def receive(iterator: AsyncIterator[bytes]) -> bytes:
    async with asyncio.timeout(DEADLINE):
        return await anext(iterator)


async def test_a_message_published_by_one_broadcaster_reaches_the_subscribers_of_another(
    redis_server: RedisServer,
) -> None:
    async with (
        broadcaster(redis_server) as a,
        broadcaster(redis_server) as b,
        b.subscribe("orders") as orders,
        b.subscribe("stock") as stock,
    ):
        assert await a.publish("orders", b'{"id":1}') == 1
        assert await receive(aiter(orders)) == b'{"id":1}'
        await a.publish("stock", b"\x00binary\xff")
        assert await receive(aiter(stock)) == b"\x00binary\xff"


async def test_every_subscription_of_a_process_shares_one_redis_connection(
    redis_server: RedisServer,
) -> None:
    async with broadcaster(redis_server, publish_connections=2) as one:
        subscriptions = [one.subscribe(f"channel-{n % 5}") for n in range(20)]
        for subscription in subscriptions:
            await subscription.__aenter__()
        await asyncio.gather(*(one.publish(f"channel-{n}", b"x") for n in range(10)))
        names = redis_server.client_names()
        assert names.count("lexigram-broadcast-sub") == 1
        assert 1 <= names.count("lexigram-broadcast-pub") <= 2
        for subscription in subscriptions:
            await subscription.__aexit__(None, None, None)
    assert redis_server.client_names() == []


async def test_subscribers_resume_after_redis_restarts_and_every_channel_is_resubscribed(
    redis_server: RedisServer,
) -> None:
    async with (
        broadcaster(redis_server, retry_backoff=(0.05, 0.2)) as reader,
        reader.subscribe("a") as a,
        reader.subscribe("b") as b,
    ):
        assert reader.connected
        redis_server.stop()
        await until(lambda: not reader.connected, "the reader to notice the outage")
        assert reader.status().connected is False
        assert "last_error" in reader.status().counters
        redis_server.start()
        await until(lambda: reader.connected, "the reader to reconnect")
        async with broadcaster(redis_server) as writer:
            await until(lambda: redis_server.client_names().count("lexigram-broadcast-sub")
                        == 1, "the reader's connection")  # fmt: skip
            await _publish_until_received(writer, "a", aiter(a))
            await _publish_until_received(writer, "b", aiter(b))
        assert reader.status().counters["connections"] == 2


async def _publish_until_received(
    writer: RedisBroadcaster, channel: str, messages: AsyncIterator[bytes]
) -> None:
    """Publish until Redis counts a subscriber (the re-subscription may still be in flight),
    then the message must arrive."""
    deadline = time.monotonic() + DEADLINE
    while await writer.publish(channel, channel.encode()) == 0:
        if time.monotonic() > deadline:
            pytest.fail(f"channel {channel!r} was not subscribed again")
        await asyncio.sleep(0.02)
    assert await receive(messages) == channel.encode()


async def test_a_frozen_redis_is_detected_by_ping_and_the_link_comes_back(
    redis_server: RedisServer,
) -> None:
    options: dict[str, Any] = {"ping_interval": 0.2, "timeout": 0.2, "retry_backoff": (0.05, 0.2)}
    async with broadcaster(redis_server, **options) as reader, reader.subscribe("c") as messages:
        redis_server.pause()
        try:
            await until(lambda: not reader.connected, "the unanswered PING")
        finally:
            redis_server.resume()
        await until(lambda: reader.connected, "the reconnection")
        async with broadcaster(redis_server) as writer:
            await _publish_until_received(writer, "c", aiter(messages))


async def test_publish_while_redis_is_down_raises_unavailable_within_its_timeout(
    redis_server: RedisServer,
) -> None:
    async with broadcaster(redis_server, timeout=0.3) as one:
        redis_server.stop()
        async with asyncio.timeout(DEADLINE):
            with pytest.raises(BroadcastUnavailableError) as caught:
                await one.publish("c", b"x")
        assert caught.value.status_code == 503
        assert one.publish_failures == 1


async def test_publish_to_a_frozen_redis_never_hangs(redis_server: RedisServer) -> None:
    async with broadcaster(redis_server, timeout=0.3) as one:
        await one.publish("c", b"warm up the connection")
        redis_server.pause()
        try:
            async with asyncio.timeout(DEADLINE):
                with pytest.raises(BroadcastUnavailableError):
                    await one.publish("c", b"x")
        finally:
            redis_server.resume()
        assert one.status().counters["publish_failures"] == 1


async def test_a_slow_subscriber_over_redis_loses_the_oldest_messages_and_counts_them(
    redis_server: RedisServer,
) -> None:
    async with broadcaster(redis_server, queue_size=2) as one, one.subscribe("c") as slow:
        for n in range(5):
            await one.publish("c", str(n).encode())
        await until(lambda: slow.dropped == 3, "three dropped messages")
        messages = aiter(slow)
        assert [await receive(messages), await receive(messages)] == [b"3", b"4"]
        assert one.status().counters["dropped"] == 3


async def test_a_slow_subscriber_over_redis_is_disconnected_under_that_policy(
    redis_server: RedisServer,
) -> None:
    async with (
        broadcaster(redis_server, queue_size=2, on_overflow="disconnect") as one,
        one.subscribe("c") as slow,
    ):
        for n in range(3):
            await one.publish("c", str(n).encode())
        await until(lambda: not slow.active, "the disconnection")
        with pytest.raises(BroadcastOverflowError):
            await receive(aiter(slow))


def test_the_health_probes_say_degraded_while_redis_is_down(
    redis_server: RedisServer,
) -> None:
    config = WebConfig(
        broadcast=BroadcastConfig(backend="redis", url=redis_server.url, retry_backoff=(0.05, 0.2))
    )
    app = LexigramApp(config=config)
    with TestClient(app) as client:
        assert isinstance(app.broadcaster, RedisBroadcaster)
        reader = app.broadcaster
        wait_until(lambda: reader.connected, "the subscriber connection")
        healthy = client.get("/health")
        assert healthy.json()["checks"]["broadcast"] == {"status": "healthy"}
        redis_server.stop()
        wait_until(lambda: not reader.connected, "the lost connection to be noticed")
        degraded = client.get("/health")
        assert (degraded.status_code, degraded.json()["status"]) == (200, "degraded")
        assert degraded.json()["checks"]["broadcast"] == {"status": "degraded"}
        assert client.get("/health/ready").status_code == 200


class Room(WebSocketHandler):
    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        if message == "to all but me":
            await self.broadcast(message, exclude=websocket)
        elif message == "filtered":
            try:
                await self.broadcast(message, where=lambda socket: True)
            except TypeError as exc:
                count = await self.broadcast("filtered here", where=lambda s: True, local=True)
                await websocket.send_json({"refused": str(exc), "local": count})
        else:
            await self.broadcast(message)


def subscribed(server: RedisServer, count: int) -> Callable[[], bool]:
    """Whether one channel has ``count`` subscribers (``PUBSUB NUMSUB``)."""

    def check() -> bool:
        channels = server.command("PUBSUB", "CHANNELS")
        assert isinstance(channels, list)
        for channel in typing.cast(list[bytes], channels):
            reply = server.command("PUBSUB", "NUMSUB", channel.decode())
            assert isinstance(reply, list)
            subscribers: int = reply[1]
            if subscribers >= count:
                return True
        return False

    return check


def _room_app(url: str) -> LexigramApp:
    app = LexigramApp(config=WebConfig(broadcast=BroadcastConfig(backend="redis", url=url)))
    app.websocket_handler("/room")(type("RoomHandler", (Room,), {}))
    return app


def test_a_handler_broadcast_reaches_the_sockets_held_by_another_app(
    redis_server: RedisServer,
) -> None:
    a, b = _room_app(redis_server.url), _room_app(redis_server.url)
    with (
        TestClient(a) as client_a,
        TestClient(b) as client_b,
        client_a.websocket_connect("/room") as on_a,
        client_b.websocket_connect("/room") as on_b,
    ):
        # a slow confirmation would lose the first frame
        wait_until(subscribed(redis_server, 2), "both apps' subscriptions")
        on_a.send_json("hello")
        assert on_a.receive_text() == "hello"
        assert on_b.receive_text() == "hello"
        on_b.send_json("to all but me")
        assert on_a.receive_text() == "to all but me"
        on_b.send_json("hello again")
        assert on_b.receive_text() == "hello again"  # the excluded sender missed only its own


def test_where_needs_local_with_a_shared_broadcaster(redis_server: RedisServer) -> None:
    app = _room_app(redis_server.url)
    with TestClient(app) as client, client.websocket_connect("/room") as socket:
        socket.send_json("filtered")
        assert socket.receive_text() == "filtered here"
        answer = socket.receive_json()
        assert "pass local=True" in answer["refused"]
        assert answer["local"] == 1


async def test_a_closed_redis_broadcaster_does_not_start_again(redis_server: RedisServer) -> None:
    async with broadcaster(redis_server) as closed:
        pass
    with pytest.raises(RuntimeError, match="build a new one"):
        await closed.start()


def test_the_redis_broadcaster_satisfies_the_protocol() -> None:
    made: Broadcaster = RedisBroadcaster("redis://127.0.0.1:1/0")
    assert isinstance(made, Broadcaster)
