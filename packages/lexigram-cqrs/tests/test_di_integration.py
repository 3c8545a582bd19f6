"""CQRSModule with a Redis Streams transport: a consumer and an outbox relay run with the app."""

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from _support import RedisServer, eventually

from lexigram.cqrs import (
    Event,
    EventBus,
    EventCatalog,
    EventTransport,
    OutboxRelay,
    RegistrationError,
    SQLiteOutbox,
    event_handler,
    integration_event,
)
from lexigram.cqrs.di import CQRSModule
from lexigram.cqrs.redis import RedisStreamTransport
from lexigram.di import Application, Container, HealthStatus

pytestmark = [pytest.mark.extra("di"), pytest.mark.extra("redis")]


@integration_event("users.registered")
@dataclasses.dataclass(frozen=True)
class UserRegistered(Event):
    user_id: int


class Welcomes:
    """A singleton the handler writes to (built by the container)."""

    def __init__(self) -> None:
        self.sent: list[int] = []


@event_handler(UserRegistered)
class SendWelcome:
    def __init__(self, welcomes: Welcomes) -> None:
        self.welcomes = welcomes

    async def handle(self, event: UserRegistered) -> None:
        self.welcomes.sent.append(event.user_id)


def transport(server: RedisServer, stream: str) -> RedisStreamTransport:
    return RedisStreamTransport(url=server.url, stream=stream, claim_idle=0.5, block=0.2)


async def test_the_module_consumes_its_group_while_the_application_runs(
    redis_server: RedisServer, stream_name: str
) -> None:
    welcomes = Welcomes()
    module = CQRSModule.configure(
        handlers=[SendWelcome],
        transport=transport(redis_server, stream_name),
        consumer_group="welcome",
    )
    container = Container()
    container.singleton(Welcomes, instance=welcomes)
    async with Application.boot(modules=[module], container=container) as app:
        bus = app.container.resolve(EventBus)
        assert app.container.resolve(EventTransport) is bus.transport
        await bus.publish(UserRegistered(7))
        await eventually(lambda: welcomes.sent == [7], "the handler, via the stream")
        assert (await app.health_check()).status is HealthStatus.HEALTHY
    client = aioredis.Redis.from_url(redis_server.url)
    assert (await client.xinfo_groups(stream_name))[0]["pending"] == 0
    await client.aclose()


async def test_the_module_relays_its_outbox(
    redis_server: RedisServer, stream_name: str, tmp_path: Path
) -> None:
    catalog = EventCatalog([UserRegistered])
    outbox = await SQLiteOutbox.open(str(tmp_path / "app.db"), catalog=catalog)
    module = CQRSModule.configure(
        transport=transport(redis_server, stream_name), outbox=outbox, relay_interval=30.0
    )
    try:
        async with Application.boot(modules=[module]) as app:
            connection = sqlite3.connect(tmp_path / "app.db", isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            outbox.add(connection, UserRegistered(1))
            connection.execute("COMMIT")
            connection.close()
            app.container.resolve(OutboxRelay).wake()
            await eventually(lambda: _pending(outbox, 0), "the relay to send the row")
    finally:
        await outbox.close()


async def _pending(outbox: SQLiteOutbox, count: int) -> bool:
    return await outbox.pending_count() == count


async def test_health_is_degraded_while_redis_is_down_and_shutdown_is_bounded(
    own_redis_server: RedisServer, stream_name: str
) -> None:
    module = CQRSModule.configure(
        handlers=[SendWelcome],
        transport=RedisStreamTransport(
            url=own_redis_server.url, stream=stream_name, timeout=0.3, block=0.2
        ),
        consumer_group="welcome",
        stop_timeout=5.0,
    )
    container = Container()
    container.singleton(Welcomes)
    async with Application.boot(modules=[module], container=container) as app:
        own_redis_server.kill()
        report = await app.health_check()
        assert report.status is HealthStatus.DEGRADED
        assert "does not answer" in report.checks["cqrs"].message
        loop = asyncio.get_running_loop()
        began = loop.time()
    assert loop.time() - began < 5.0


def test_a_consumer_group_without_a_transport_fails_at_configuration() -> None:
    with pytest.raises(RegistrationError, match="needs a transport"):
        CQRSModule.configure(consumer_group="welcome")


def test_an_outbox_without_a_transport_fails_at_configuration() -> None:
    outbox = SQLiteOutbox(catalog=EventCatalog())
    with pytest.raises(RegistrationError, match="outbox= needs a transport"):
        CQRSModule.configure(outbox=outbox)
