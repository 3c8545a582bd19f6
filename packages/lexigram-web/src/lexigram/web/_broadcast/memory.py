"""``MemoryBroadcaster``: fan-out to the subscribers of this process (the default)."""

from __future__ import annotations

from .fanout import LocalFanout, OverflowPolicy, Subscription, check_publish
from .status import BroadcastStatus

__all__ = ["MemoryBroadcaster"]


class MemoryBroadcaster:
    """Publishes to the subscribers of this process only: with several worker processes (or
    hosts) each has its own, so use the Redis broadcaster (``lexigram.web.redis``) there.

    ``queue_size`` and ``on_overflow`` bound each subscriber's queue (see ``BroadcastConfig``).
    Nothing runs in the background: ``aclose`` ends every subscription and refuses new ones
    until ``start`` (so an app given this broadcaster can be started again after a stop).
    """

    __slots__ = ("_fanout",)

    def __init__(self, *, queue_size: int = 1000, on_overflow: OverflowPolicy = "drop_oldest"):
        self._fanout = LocalFanout(queue_size, on_overflow)

    async def publish(self, channel: str, payload: bytes) -> int:
        """Queue ``payload`` for every subscriber of ``channel``; answers how many."""
        check_publish(channel, payload)
        return self._fanout.deliver(channel, payload)

    def subscribe(self, channel: str) -> Subscription:
        """A subscription to ``channel`` (see ``Broadcaster.subscribe``)."""
        return self._fanout.subscription(channel)

    async def start(self) -> None:
        """Accept subscriptions (again, after ``aclose``)."""
        self._fanout.reopen()

    async def aclose(self) -> None:
        """End every subscription; later ``subscribe`` calls fail."""
        self._fanout.close()

    def status(self) -> BroadcastStatus:
        fanout = self._fanout
        counters: dict[str, int | str] = {
            "channels": len(fanout.channels),
            "dropped": fanout.dropped,
            "disconnected": fanout.disconnected,
        }
        return BroadcastStatus("memory", True, "in-process fan-out", counters)
