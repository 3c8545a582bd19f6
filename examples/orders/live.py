"""Live order updates: every change is a row of ``order_events``, pushed to followers through
the app's broadcaster and read back from the table when a follower may have missed some.

After a change, the process that made it publishes the new rows on the ``orders`` channel.
With the memory broadcaster (the default) that reaches the followers of this process; with
``LEXIGRAM_REDIS_URL`` set (the Redis broadcaster) it reaches the followers of every worker
and host. A follower yields each pushed event that directly follows the last one it sent; on a
gap (an event it has not seen, e.g. one pushed while Redis was down), after
``live_poll_interval`` seconds without a push, and when it starts, it reads the table instead.
So polling remains the catch-up, not the way updates travel.

A follower starts after a given event id (SSE's ``Last-Event-ID``), so nothing is lost when
a client reconnects, and stops after ``live_max_seconds`` so that long-lived connections are
recycled (a shutdown does not wait on them beyond ``graceful_timeout`` either way; clients
reconnect on their own: ``EventSource`` does, after the ``retry`` delay).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any, Final

import orjson

from lexigram.web import Broadcaster, BroadcastUnavailableError

from .database import DatabaseUnavailableError
from .repositories import OrderEvent, OrderRepository
from .settings import OrdersSettings

__all__ = ["CHANNEL", "OrderFeed"]

CHANNEL: Final = "orders"
_PAGE: Final = 100
_log = logging.getLogger("examples.orders")


class OrderFeed:
    def __init__(
        self, orders: OrderRepository, settings: OrdersSettings, broadcaster: Broadcaster
    ) -> None:
        self.orders = orders
        self.broadcaster = broadcaster
        self.poll_interval = settings.live_poll_interval
        self.max_seconds = settings.live_max_seconds
        self._published = 0

    async def start(self) -> None:
        """Publish from the newest change on (called once the database is open)."""
        self._published = await self.orders.last_event_id()

    async def changed(self) -> None:
        """Push the changes written since the last push of this process (one query). When the
        database or the broadcaster fails here, the change itself is already committed: the
        request still succeeds, and followers find the change in the table."""
        try:
            events = await self.orders.events_after(self._published)
        except DatabaseUnavailableError as exc:
            _log.warning("live updates not pushed (%s); followers will read them", exc)
            return
        if not events:
            return
        self._published = max(self._published, events[-1].id)
        payload = orjson.dumps([_encode(event) for event in events])
        try:
            await self.broadcaster.publish(CHANNEL, payload)
        except BroadcastUnavailableError as exc:
            _log.warning("live updates not pushed (%s); followers will read them", exc.__cause__)

    async def latest_id(self) -> int:
        return await self.orders.last_event_id()

    async def follow(self, after: int) -> AsyncIterator[OrderEvent]:
        """Every event after ``after``, as it happens, for ``live_max_seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_seconds
        async with self.broadcaster.subscribe(CHANNEL) as subscription:
            pushed = aiter(subscription)
            while deadline > loop.time():
                events = await self.orders.events_after(after, _PAGE)  # catch up from the table
                for event in events:
                    yield event
                    after = event.id
                if len(events) == _PAGE:
                    continue  # more to read
                while (left := deadline - loop.time()) > 0:
                    try:
                        async with asyncio.timeout(min(self.poll_interval, left)):
                            payload = await anext(pushed)
                    except TimeoutError:
                        break  # nothing pushed for a while: look in the table
                    except StopAsyncIteration:
                        return  # the app is stopping
                    gap = False
                    for event in (_decode(item) for item in orjson.loads(payload)):
                        if event.id > after + 1:
                            gap = True  # read what was missed from the table
                            break
                        if event.id == after + 1:
                            yield event
                            after = event.id
                    if gap:
                        break


def _encode(event: OrderEvent) -> dict[str, Any]:
    return {"id": event.id, "order_id": event.order_id, "type": event.type,
            "status": event.status, "at": event.at.isoformat()}  # fmt: skip


def _decode(item: dict[str, Any]) -> OrderEvent:
    at = dt.datetime.fromisoformat(item["at"])
    return OrderEvent(item["id"], item["order_id"], item["type"], item["status"], at)
