"""``Broadcaster``: the seam every hub of the web layer publishes and subscribes through.

The web layer owns the Protocol; implementations (``MemoryBroadcaster``, the Redis one in
``lexigram.web.redis``, or any object of the same shape) satisfy it structurally.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, Self, runtime_checkable

__all__ = ["BroadcastSubscription", "Broadcaster"]


class BroadcastSubscription(Protocol):
    """What ``subscribe`` answers: an async context manager (subscribed on enter, ended on
    exit) whose iteration yields each payload published on the channel from then on."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


@runtime_checkable
class Broadcaster(Protocol):
    """Publish bytes on a named channel; every subscriber of the channel receives them.

    ``publish`` answers how many subscribers the backend handed the message to (local
    subscriptions for an in-process broadcaster; subscribed processes for Redis). Use
    ``subscribe`` as ``async with broadcaster.subscribe("orders") as messages:`` and iterate
    ``messages``; iterating ``broadcaster.subscribe(...)`` directly also works and ends the
    subscription when the iteration ends.
    """

    async def publish(self, channel: str, payload: bytes) -> int: ...

    def subscribe(self, channel: str) -> BroadcastSubscription: ...
