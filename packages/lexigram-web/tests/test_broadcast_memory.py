"""The in-process broadcaster: delivery, bounded queues and their overflow policies, the end
of a subscription, and the ``broadcast`` section of the configuration."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterable, Awaitable, Callable

import pytest

from lexigram.web import (
    BroadcastConfig,
    Broadcaster,
    BroadcastOverflowError,
    BroadcastUnavailableError,
    MemoryBroadcaster,
    WebConfig,
    WebConfigError,
    load_web_config,
)

DEADLINE = 5.0


async def next_message(subscription: AsyncIterable[bytes]) -> bytes:
    iterator = aiter(subscription)
    async with asyncio.timeout(DEADLINE):
        message: bytes = await anext(iterator)
        return message


async def test_a_message_reaches_every_subscriber_of_its_channel_and_no_other() -> None:
    broadcaster = MemoryBroadcaster()
    async with (
        broadcaster.subscribe("orders") as one,
        broadcaster.subscribe("orders") as two,
        broadcaster.subscribe("stock") as other,
    ):
        assert await broadcaster.publish("orders", b"placed") == 2
        messages = aiter(one), aiter(two), aiter(other)
        async with asyncio.timeout(DEADLINE):
            assert [await anext(messages[0]), await anext(messages[1])] == [b"placed"] * 2
        assert await broadcaster.publish("stock", b"low") == 1
        async with asyncio.timeout(DEADLINE):
            assert await anext(messages[2]) == b"low"


async def test_messages_arrive_in_the_order_they_were_published() -> None:
    broadcaster = MemoryBroadcaster()
    async with broadcaster.subscribe("c") as subscription:
        for n in range(5):
            await broadcaster.publish("c", str(n).encode())
        iterator = aiter(subscription)
        async with asyncio.timeout(DEADLINE):
            assert [await anext(iterator) for _ in range(5)] == [b"0", b"1", b"2", b"3", b"4"]


async def test_a_slow_subscriber_loses_the_oldest_messages_and_counts_them() -> None:
    broadcaster = MemoryBroadcaster(queue_size=3)
    async with broadcaster.subscribe("c") as slow:
        for n in range(5):
            await broadcaster.publish("c", str(n).encode())
        iterator = aiter(slow)
        async with asyncio.timeout(DEADLINE):
            assert [await anext(iterator) for _ in range(3)] == [b"2", b"3", b"4"]
        assert slow.dropped == 2
        assert broadcaster.status().counters["dropped"] == 2


async def test_a_slow_subscriber_is_disconnected_under_the_disconnect_policy() -> None:
    broadcaster = MemoryBroadcaster(queue_size=2, on_overflow="disconnect")
    async with broadcaster.subscribe("c") as slow, broadcaster.subscribe("c") as fast:
        fast_messages = aiter(fast)
        for n in range(3):
            await broadcaster.publish("c", str(n).encode())
            assert await next_message(fast_messages) == str(n).encode()
        with pytest.raises(BroadcastOverflowError, match="fell 2 messages behind"):
            await next_message(slow)
        assert not slow.active
        assert fast.active
        assert await broadcaster.publish("c", b"later") == 1
        assert broadcaster.status().counters["disconnected"] == 1


async def test_leaving_the_subscription_block_unsubscribes() -> None:
    broadcaster = MemoryBroadcaster()
    async with broadcaster.subscribe("c") as subscription:
        inside = subscription.active
    assert (inside, subscription.active) == (True, False)
    assert await broadcaster.publish("c", b"x") == 0


async def test_iterating_a_subscription_directly_subscribes_and_ends_with_the_loop() -> None:
    broadcaster = MemoryBroadcaster()
    received: list[bytes] = []
    listening = asyncio.Event()

    async def follow() -> None:
        listening.set()
        async for message in broadcaster.subscribe("c"):
            received.append(message)
            if message == b"stop":
                break

    task = asyncio.create_task(follow())
    await listening.wait()
    await eventually(lambda: broadcaster.publish("c", b"hello"), 1)
    await broadcaster.publish("c", b"stop")
    async with asyncio.timeout(DEADLINE):
        await task
    gc.collect()
    await eventually(lambda: broadcaster.publish("c", b"after"), 0)
    assert received[-2:] == [b"hello", b"stop"]


async def eventually(publish: Callable[[], Awaitable[int]], receivers: int) -> None:
    """Publish until ``receivers`` subscribers get the message (within ``DEADLINE``)."""
    async with asyncio.timeout(DEADLINE):
        while True:
            if await publish() == receivers:
                return
            await asyncio.sleep(0.01)


async def test_closing_the_broadcaster_ends_every_subscription_and_refuses_new_ones() -> None:
    broadcaster = MemoryBroadcaster()
    async with broadcaster.subscribe("c") as subscription:
        await broadcaster.publish("c", b"last")
        await broadcaster.aclose()
        async with asyncio.timeout(DEADLINE):
            assert [m async for m in subscription] == [b"last"]
    with pytest.raises(BroadcastUnavailableError, match="closed"):
        async with broadcaster.subscribe("c"):
            pass


async def test_a_subscription_is_used_once() -> None:
    broadcaster = MemoryBroadcaster()
    subscription = broadcaster.subscribe("c")
    async with subscription:
        pass
    with pytest.raises(RuntimeError, match=r"call broadcaster\.subscribe"):
        async with subscription:
            pass


async def test_publish_takes_bytes_and_names_how_to_encode_the_rest() -> None:
    broadcaster = MemoryBroadcaster()
    with pytest.raises(TypeError, match=r"publish takes bytes, got str: encode it first"):
        await broadcaster.publish("c", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"a channel is a non-empty str"):
        await broadcaster.publish("", b"x")
    with pytest.raises(TypeError, match="a channel is a non-empty str"):
        broadcaster.subscribe("")


def test_the_memory_broadcaster_satisfies_the_protocol_and_reports_connected() -> None:
    broadcaster: Broadcaster = MemoryBroadcaster()
    assert isinstance(broadcaster, Broadcaster)
    assert MemoryBroadcaster().status().connected


def test_bad_queue_settings_fail_when_the_broadcaster_is_built() -> None:
    with pytest.raises(ValueError, match="queue_size must be a positive number"):
        MemoryBroadcaster(queue_size=0)
    with pytest.raises(ValueError, match="on_overflow must be 'drop_oldest' or 'disconnect'"):
        MemoryBroadcaster(on_overflow="block")  # type: ignore[arg-type]


def test_the_redis_backend_needs_a_url_and_names_where_to_set_it() -> None:
    with pytest.raises(ValueError, match=r"set broadcast.url .*LEXIGRAM_WEB__BROADCAST__URL"):
        BroadcastConfig(backend="redis")


def test_redis_settings_under_the_memory_backend_are_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"timeout, url only apply to backend 'redis'"):
        BroadcastConfig(url="redis://localhost:6379/0", timeout=2.0)


def test_a_channel_prefix_under_the_memory_backend_is_refused_it_only_names_redis_channels() -> (
    None
):
    with pytest.raises(ValueError, match=r"channel_prefix only apply to backend 'redis'"):
        BroadcastConfig(channel_prefix="shop:")
    assert BroadcastConfig(backend="redis", url="redis://h/0", channel_prefix="shop:")


def test_the_broadcast_section_loads_from_the_environment() -> None:
    config = load_web_config(
        "/nonexistent",
        environ={
            "LEXIGRAM_WEB__BROADCAST__BACKEND": "redis",
            "LEXIGRAM_WEB__BROADCAST__URL": "redis://cache:6379/2",
            "LEXIGRAM_WEB__BROADCAST__ON_OVERFLOW": "disconnect",
        },
    )
    assert config.broadcast == BroadcastConfig(
        backend="redis", url="redis://cache:6379/2", on_overflow="disconnect"
    )
    assert WebConfig().broadcast.backend == "memory"


def test_a_bad_broadcast_setting_names_the_key_and_its_source() -> None:
    with pytest.raises(
        WebConfigError, match=r"web.broadcast.on_overflow: .*LEXIGRAM_WEB__BROADCAST"
    ):
        load_web_config("/nonexistent", environ={"LEXIGRAM_WEB__BROADCAST__ON_OVERFLOW": "block"})


async def test_a_wait_cut_short_by_a_timeout_leaves_the_subscription_usable() -> None:
    broadcaster = MemoryBroadcaster()
    async with broadcaster.subscribe("c") as subscription:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await anext(aiter(subscription))
        await broadcaster.publish("c", b"still here")
        assert await next_message(subscription) == b"still here"
