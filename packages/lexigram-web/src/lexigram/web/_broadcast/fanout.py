"""Local fan-out: the subscriptions of one process, each with a bounded queue.

Every broadcaster delivers through a ``LocalFanout``: the memory broadcaster when a message is
published, the Redis broadcaster when its one reader receives one. Delivery never waits: a
message goes into each subscription's queue, and a subscriber that lets ``queue_size``
messages wait meets the overflow policy: ``"drop_oldest"`` drops the oldest waiting message
(counted in ``Subscription.dropped`` and ``LocalFanout.dropped``), ``"disconnect"`` ends the
subscription, whose iteration then raises ``BroadcastOverflowError``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final, Literal, Self

from .errors import BroadcastOverflowError, BroadcastUnavailableError

__all__ = ["OVERFLOW_POLICIES", "LocalFanout", "OverflowPolicy", "Subscription", "check_publish"]

OverflowPolicy = Literal["drop_oldest", "disconnect"]
OVERFLOW_POLICIES: Final = ("drop_oldest", "disconnect")
_NEW, _OPEN, _ENDED, _OVERFLOWED = range(4)


def check_publish(channel: str, payload: bytes) -> None:
    """What every broadcaster's ``publish`` refuses: a payload that is not ``bytes``, a
    channel that is not a non-empty ``str`` (``TypeError`` naming the fix)."""
    if type(payload) is not bytes:
        raise TypeError(
            f"publish takes bytes, got {type(payload).__name__}: encode it first"
            " (text.encode(), orjson.dumps(value))"
        )
    if type(channel) is not str or not channel:
        raise TypeError(f"a channel is a non-empty str, got {channel!r}")


class Subscription:
    """One subscriber of one channel (see ``Broadcaster.subscribe``).

    ``dropped`` counts the messages this subscriber lost to ``"drop_oldest"``.
    """

    __slots__ = ("_fanout", "_queue", "_state", "_waiter", "channel", "dropped")

    def __init__(self, fanout: LocalFanout, channel: str) -> None:
        self.channel = channel
        self.dropped = 0
        self._fanout = fanout
        self._queue: deque[bytes] = deque()
        self._state = _NEW
        self._waiter: asyncio.Future[None] | None = None

    @property
    def active(self) -> bool:
        """Whether messages published now reach this subscription."""
        return self._state == _OPEN

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __aiter__(self) -> AsyncIterator[bytes]:
        """Iterate the payloads. Inside ``async with`` this is the subscription itself (an
        iteration cancelled while waiting, e.g. by a timeout, leaves it usable); on a
        subscription not yet entered it is a generator that subscribes first and ends the
        subscription when the iteration ends."""
        if self._state == _NEW:
            return self._subscribed_while_iterating()
        return self

    async def __anext__(self) -> bytes:
        """The next payload (waiting for one); ``StopAsyncIteration`` once the subscription
        or its broadcaster is closed, ``BroadcastOverflowError`` when it overflowed under
        ``on_overflow="disconnect"``. One task at a time may wait here."""
        queue = self._queue
        while True:
            if self._state == _OVERFLOWED:
                raise BroadcastOverflowError(self.channel, self._fanout.queue_size)
            if queue:
                return queue.popleft()
            if self._state != _OPEN:
                raise StopAsyncIteration
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None

    def close(self) -> None:
        """End the subscription (idempotent); a waiting iteration finishes."""
        if self._state == _OPEN:
            self._state = _ENDED
            self._fanout.remove(self)
        elif self._state == _NEW:
            self._state = _ENDED
        self._wake()

    async def _open(self) -> None:
        if self._state != _NEW:
            raise RuntimeError(
                f"this subscription to {self.channel!r} was already used; call"
                " broadcaster.subscribe() again for a new one"
            )
        self._fanout.add(self)
        self._state = _OPEN
        try:
            await self._fanout.ready(self.channel)
        except BaseException:
            self.close()
            raise

    async def _subscribed_while_iterating(self) -> AsyncIterator[bytes]:
        await self._open()
        try:
            while True:
                try:
                    payload = await self.__anext__()
                except StopAsyncIteration:
                    return
                yield payload
        finally:
            self.close()

    def _put(self, payload: bytes) -> bool:
        """Queue ``payload``; ``False`` when the overflow policy ended the subscription."""
        queue = self._queue
        fanout = self._fanout
        if len(queue) >= fanout.queue_size:
            if fanout.disconnect_on_overflow:
                self._state = _OVERFLOWED
                queue.clear()
                self._wake()
                return False
            queue.popleft()
            self.dropped += 1
            fanout.dropped += 1
        queue.append(payload)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def _end(self) -> None:
        if self._state == _OPEN:
            self._state = _ENDED
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class LocalFanout:
    """The subscriptions of one broadcaster in this process, by channel.

    ``on_first(channel)`` / ``on_last(channel)`` are called when a channel gains its first
    subscriber and loses its last (the Redis broadcaster subscribes and unsubscribes there);
    ``ready(channel)`` is awaited by every opening subscription (the Redis broadcaster waits
    for Redis to confirm the channel, within its timeout).
    """

    __slots__ = (
        "_channels",
        "_closed",
        "_on_first",
        "_on_last",
        "_ready",
        "disconnect_on_overflow",
        "disconnected",
        "dropped",
        "queue_size",
    )

    def __init__(
        self,
        queue_size: int = 1000,
        on_overflow: OverflowPolicy = "drop_oldest",
        *,
        on_first: Callable[[str], None] | None = None,
        on_last: Callable[[str], None] | None = None,
        ready: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        if type(queue_size) is not int or queue_size < 1:
            raise ValueError(
                f"queue_size must be a positive number of messages, got {queue_size!r}"
            )
        if on_overflow not in OVERFLOW_POLICIES:
            raise ValueError(
                f"on_overflow must be 'drop_oldest' or 'disconnect', got {on_overflow!r}"
            )
        self.queue_size = queue_size
        self.disconnect_on_overflow = on_overflow == "disconnect"
        self.dropped = 0
        """Messages dropped by ``"drop_oldest"``, over every subscription."""
        self.disconnected = 0
        """Subscriptions ended by ``"disconnect"``."""
        self._channels: dict[str, dict[Subscription, None]] = {}
        self._closed = False
        self._on_first = on_first
        self._on_last = on_last
        self._ready = ready

    @property
    def channels(self) -> list[str]:
        """The channels with at least one subscriber."""
        return list(self._channels)

    def subscribers(self, channel: str) -> int:
        found = self._channels.get(channel)
        return 0 if found is None else len(found)

    def subscription(self, channel: str) -> Subscription:
        if type(channel) is not str or not channel:
            raise TypeError(f"a channel is a non-empty str, got {channel!r}")
        return Subscription(self, channel)

    def deliver(self, channel: str, payload: bytes) -> int:
        """Queue ``payload`` for every subscriber of ``channel``; answers how many."""
        found = self._channels.get(channel)
        if not found:
            return 0
        count = len(found)
        ended: list[Subscription] | None = None
        for subscription in found:
            if not subscription._put(payload):  # pyright: ignore[reportPrivateUsage]
                ended = [subscription] if ended is None else [*ended, subscription]
        if ended is not None:
            self.disconnected += len(ended)
            for subscription in ended:
                self.remove(subscription)
        return count

    def add(self, subscription: Subscription) -> None:
        if self._closed:
            raise BroadcastUnavailableError("the broadcaster is closed")
        channel = subscription.channel
        found = self._channels.get(channel)
        if found is None:
            found = self._channels[channel] = {}
            found[subscription] = None
            if self._on_first is not None:
                self._on_first(channel)
        else:
            found[subscription] = None

    def remove(self, subscription: Subscription) -> None:
        channel = subscription.channel
        found = self._channels.get(channel)
        if found is None or subscription not in found:
            return
        del found[subscription]
        if not found:
            del self._channels[channel]
            if self._on_last is not None:
                self._on_last(channel)

    async def ready(self, channel: str) -> None:
        if self._ready is not None:
            await self._ready(channel)

    def reopen(self) -> None:
        """Accept subscriptions again after ``close``."""
        self._closed = False

    def close(self) -> None:
        """End every subscription; later subscriptions fail with ``BroadcastUnavailableError``."""
        self._closed = True
        channels, self._channels = self._channels, {}
        for found in channels.values():
            for subscription in found:
                subscription._end()  # pyright: ignore[reportPrivateUsage]
