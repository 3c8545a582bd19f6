"""The Redis Streams transport on a real redis-server: groups, retries, dead letters, stop."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
from _support import RedisServer, eventually, stream_entries

from lexigram.cqrs import (
    Delivery,
    Event,
    EventBus,
    EventTransport,
    HandlerRegistry,
    delivery_of,
    event_handler,
    idempotency_key,
    integration_event,
    metadata_of,
)
from lexigram.cqrs.redis import DeliveryInProgressError, RedisIdempotency, RedisStreamTransport

pytestmark = pytest.mark.extra("redis")


@integration_event("test.tick")
@dataclasses.dataclass(frozen=True)
class Tick(Event):
    n: int


@pytest.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    made = aioredis.Redis.from_url(redis_server.url)
    yield made
    await made.aclose()


Handler = Callable[[Tick], Awaitable[None]]


class Running:
    """Consumers started by a test; stopped (and awaited) at its end."""

    def __init__(self) -> None:
        self.stops: list[asyncio.Event] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start(
        self, transport: RedisStreamTransport, handler: Handler, group: str, name: str = ""
    ) -> asyncio.Event:
        bus = EventBus(HandlerRegistry([event_handler(Tick)(handler)]), transport=transport)
        stop = asyncio.Event()
        consume = transport.consume(bus.receive, group=group, consumer=name or None, stop=stop)
        self.stops.append(stop)
        self.tasks.append(asyncio.create_task(consume))
        return stop

    async def stop_all(self) -> None:
        for stop in self.stops:
            stop.set()
        await asyncio.wait_for(asyncio.gather(*self.tasks), 10)


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    consumers = Running()
    yield consumers
    await consumers.stop_all()


def transport_for(client: aioredis.Redis, stream: str, **options: Any) -> RedisStreamTransport:
    options.setdefault("claim_idle", 0.3)
    options.setdefault("block", 0.2)
    return RedisStreamTransport(client, stream=stream, **options)


async def publish(transport: RedisStreamTransport, *numbers: int) -> list[Tick]:
    bus = EventBus(HandlerRegistry(), transport=transport)
    events = [Tick(n) for n in numbers]
    for event in events:
        await bus.publish(event)
    return events


def test_the_redis_transport_satisfies_the_protocol(client: aioredis.Redis) -> None:
    transport: EventTransport = RedisStreamTransport(client)
    assert isinstance(transport, EventTransport)


async def test_a_published_event_reaches_a_consumer_with_its_metadata_and_delivery(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name)
    got: list[Tick] = []

    async def handle(event: Tick) -> None:
        got.append(event)

    running.start(transport, handle, "g", "c1")
    (sent,) = await publish(transport, 1)
    await eventually(lambda: len(got) == 1, "the event")
    assert got == [sent]
    assert metadata_of(got[0]) == metadata_of(sent)
    delivery = delivery_of(got[0])
    assert delivery == Delivery(idempotency_key(sent), 1, stream_name, delivery.position, "g", "c1")  # type: ignore[union-attr]
    await eventually(lambda: _pending(client, stream_name, "g", 0), "the acknowledgement", within=5)


async def _pending(client: aioredis.Redis, stream: str, group: str, expected: int) -> bool:
    summary = await client.xpending(stream, group)
    return bool(summary["pending"] == expected)


async def test_consumers_of_one_group_share_the_events(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name, batch_size=1)
    by_consumer: dict[str, list[int]] = {"a": [], "b": []}

    def handler(name: str) -> Handler:
        async def handle(event: Tick) -> None:
            by_consumer[name].append(event.n)
            await client.ping()  # a round trip: the other consumer gets its turn

        return handle

    running.start(transport, handler("a"), "shared", "a")
    running.start(transport, handler("b"), "shared", "b")
    await publish(transport, *range(40))
    await eventually(lambda: len(by_consumer["a"]) + len(by_consumer["b"]) == 40, "40 events")
    assert sorted(by_consumer["a"] + by_consumer["b"]) == list(range(40))
    assert by_consumer["a"] and by_consumer["b"]


async def test_each_group_gets_every_event(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name)
    billing: list[int] = []
    shipping: list[int] = []

    async def bill(event: Tick) -> None:
        billing.append(event.n)

    async def ship(event: Tick) -> None:
        shipping.append(event.n)

    running.start(transport, bill, "billing")
    running.start(transport, ship, "shipping")
    await publish(transport, 1, 2, 3)
    await eventually(lambda: len(billing) == len(shipping) == 3, "both groups")
    assert sorted(billing) == sorted(shipping) == [1, 2, 3]


async def test_a_group_created_after_publishing_starts_at_the_first_entry_by_default(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name)
    await publish(transport, 1)
    got: list[int] = []
    late: list[int] = []

    async def handle(event: Tick) -> None:
        got.append(event.n)

    async def handle_late(event: Tick) -> None:
        late.append(event.n)

    running.start(transport, handle, "from-first")
    running.start(transport_for(client, stream_name, start_at="new"), handle_late, "from-new")
    await eventually(lambda: got == [1], "the earlier event in the 'first' group")
    await eventually(lambda: _groups(client, stream_name, 2), "both groups to exist")
    await publish(transport, 2)
    await eventually(lambda: got == [1, 2] and late == [2], "the later event in both")


async def _groups(client: aioredis.Redis, stream: str, count: int) -> bool:
    return len(await client.xinfo_groups(stream)) == count


async def test_a_failing_event_is_retried_then_dead_lettered_with_error_and_count(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name, max_deliveries=3)
    attempts: list[int] = []

    async def handle(event: Tick) -> None:
        if event.n == 13:
            attempts.append(delivery_of(event).attempt)  # type: ignore[union-attr]
            raise ValueError("unlucky number")

    running.start(transport, handle, "g")
    await publish(transport, 13, 14)
    await eventually(lambda: _dead_count(client, stream_name, 1), "the dead letter")
    assert attempts == [1, 2, 3]
    (entry,) = await stream_entries(client, f"{stream_name}:dead")
    fields = entry[1]
    assert fields[b"name"] == b"test.tick"
    assert fields[b"deliveries"] == b"3"
    assert b"ValueError: unlucky number" in fields[b"error"]
    assert fields[b"group"] == b"g"
    await eventually(lambda: _pending(client, stream_name, "g", 0), "everything acknowledged")


async def test_an_unknown_event_name_is_dead_lettered_at_once_and_the_consumer_goes_on(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name)
    got: list[int] = []

    async def handle(event: Tick) -> None:
        got.append(event.n)

    await client.xadd(stream_name, {"name": "who.knows", "data": b"{}", "id": "m1"})
    await client.xadd(stream_name, {"garbage": "entry"})
    await publish(transport, 5)
    running.start(transport, handle, "g")
    await eventually(lambda: got == [5], "the good event")
    await eventually(lambda: _dead_count(client, stream_name, 2), "two dead letters")
    errors = [e[1][b"error"] for e in await stream_entries(client, f"{stream_name}:dead")]
    assert b"who.knows" in errors[0] and b"deliveries" not in errors[0]
    assert errors[1].startswith(b"malformed entry")


async def _dead_count(client: aioredis.Redis, stream: str, count: int) -> bool:
    return bool(await client.xlen(f"{stream}:dead") == count)


async def test_stop_finishes_the_message_in_hand_and_hands_back_the_rest(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name, claim_idle=30.0, batch_size=10)
    entered = asyncio.Event()
    release = asyncio.Event()
    first: list[int] = []

    async def slow(event: Tick) -> None:
        entered.set()
        await release.wait()
        first.append(event.n)

    stop = running.start(transport, slow, "g", "first")
    await publish(transport, 1, 2, 3)
    await asyncio.wait_for(entered.wait(), 10)
    stop.set()
    consumer_task = running.tasks[0]
    await asyncio.sleep(0)
    assert not consumer_task.done()  # waits for the handler
    release.set()
    await asyncio.wait_for(consumer_task, 10)
    assert first == [1]
    others: list[int] = []

    async def take(event: Tick) -> None:
        others.append(event.n)

    running.start(transport, take, "g", "second")  # claims the handed-back entries at once
    await eventually(lambda: sorted(others) == [2, 3], "the handed-back entries", within=5)


async def test_a_client_decoding_responses_is_refused(redis_server: RedisServer) -> None:
    decoding = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    with pytest.raises(ValueError, match="decode_responses=False"):
        RedisStreamTransport(decoding)
    await decoding.aclose()


def test_the_transport_needs_exactly_one_of_client_and_url(client: aioredis.Redis) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        RedisStreamTransport()
    with pytest.raises(ValueError, match="exactly one"):
        RedisStreamTransport(client, url="redis://x")


async def test_redis_idempotency_applies_a_key_once(
    client: aioredis.Redis, stream_name: str
) -> None:
    seen = RedisIdempotency(client, prefix=f"{stream_name}:", lease=5)
    runs: list[bool] = []
    for _ in range(2):
        async with seen.once("k") as first:
            runs.append(first)
    assert runs == [True, False]
    assert await seen.applied("k")


async def test_redis_idempotency_frees_the_key_when_the_block_fails(
    client: aioredis.Redis, stream_name: str
) -> None:
    seen = RedisIdempotency(client, prefix=f"{stream_name}:", lease=5)
    with pytest.raises(RuntimeError):
        async with seen.once("k"):
            raise RuntimeError("the effect failed")
    async with seen.once("k") as first:
        assert first


async def test_redis_idempotency_refuses_a_key_held_by_another(
    client: aioredis.Redis, stream_name: str
) -> None:
    seen = RedisIdempotency(client, prefix=f"{stream_name}:", lease=5)
    async with seen.once("k") as first:
        assert first
        with pytest.raises(DeliveryInProgressError, match="another consumer"):
            async with seen.once("k"):
                pass


async def test_correlation_and_causation_travel_with_the_event(
    client: aioredis.Redis, stream_name: str, running: Running
) -> None:
    transport = transport_for(client, stream_name)
    got: list[Tick] = []

    async def handle(event: Tick) -> None:
        got.append(event)

    running.start(transport, handle, "g")
    root = Tick(1).correlated_with("request-7")
    caused = Tick(2).caused_by(root)
    bus = EventBus(HandlerRegistry(), transport=transport)
    await bus.publish(root)
    await bus.publish(caused)
    await eventually(lambda: len(got) == 2, "both events")
    assert [metadata_of(e) for e in got] == [metadata_of(root), metadata_of(caused)]
    assert metadata_of(got[1]).causation_id == metadata_of(root).message_id
    assert metadata_of(got[1]).correlation_id == "request-7"
