"""Live order updates: every change is a row of ``order_events``; followers read new rows.

A change made in this process wakes its followers at once; changes made by other worker
processes (sharing the database file) are picked up within ``live_poll_interval`` seconds.
A follower starts after a given event id (SSE's ``Last-Event-ID``), so nothing is lost when
a client reconnects, and stops after ``live_max_seconds`` so that long-lived connections are
recycled (a shutdown does not wait on them beyond ``graceful_timeout`` either way; clients
reconnect on their own: ``EventSource`` does, after the ``retry`` delay).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from .repositories import OrderEvent, OrderRepository
from .settings import OrdersSettings

__all__ = ["OrderFeed"]


class OrderFeed:
    def __init__(self, orders: OrderRepository, settings: OrdersSettings) -> None:
        self.orders = orders
        self.poll_interval = settings.live_poll_interval
        self.max_seconds = settings.live_max_seconds
        self._changed = asyncio.Event()

    def notify(self) -> None:
        """Wake every follower in this process (something was written)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def latest_id(self) -> int:
        return await self.orders.last_event_id()

    async def follow(self, after: int) -> AsyncIterator[OrderEvent]:
        """Every event after ``after``, as it happens, for ``live_max_seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_seconds
        while (left := deadline - loop.time()) > 0:
            changed = self._changed
            events = await self.orders.events_after(after)
            for event in events:
                yield event
                after = event.id
            if not events:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), min(self.poll_interval, left))
