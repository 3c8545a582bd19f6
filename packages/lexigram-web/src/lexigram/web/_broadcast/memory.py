"""``MemoryBroadcaster``: fan-out to the subscribers of this process (the default)."""

from __future__ import annotations

from .fanout import LocalFanout, OverflowPolicy, Subscription
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
        if type(payload) is not bytes:
            raise TypeError(
                f"publish takes bytes, got {type(payload).__name__}: encode it first"
                " (text.encode(), orjson.dumps(value))"
            )
        if type(channel) is not str or not channel:
            raise TypeError(f"a channel is a non-empty str, got {channel!r}")
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
