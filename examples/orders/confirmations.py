"""Order confirmations: sent once per order, and never forgotten, even across a crash.

- Without Redis, the confirmation runs in-process after the response (a background task).
  A process killed before it ran leaves the order unconfirmed in the database; every start
  resumes them (``ConfirmationsProvider``): the unconfirmed orders are confirmed again.
- With Redis (``LEXIGRAM_REDIS_URL``), placing an order writes an ``OrderPlaced`` event to the
  outbox in the same transaction; the relay moves it to the Redis stream and the consumer group
  ``orders-confirmations`` confirms the order. A crash loses nothing: unrelayed rows are relayed
  by the next relay, a dead consumer's message is claimed by another.

Either way ``mark_confirmed`` records a confirmation at most once (``confirmed_at IS NULL``),
which makes a repeated delivery harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from lexigram.cqrs import OutboxRelay, event_handler
from lexigram.di import Container, Provider

from .events import OrderPlaced
from .live import OrderFeed
from .repositories import OrderRepository
from .settings import OrdersSettings

__all__ = ["ConfirmPlacedOrder", "Confirmations", "ConfirmationsProvider"]

_log = logging.getLogger("examples.orders")


class Confirmations:
    def __init__(
        self,
        orders: OrderRepository,
        feed: OrderFeed,
        settings: OrdersSettings,
        relay: OutboxRelay | None,
    ) -> None:
        self.orders = orders
        self.feed = feed
        self.delay = settings.confirmation_delay
        self.relay = relay

    async def confirm(self, order_id: int) -> None:
        """Send the order confirmation (here: record it), once."""
        if self.delay:
            await asyncio.sleep(self.delay)  # stands for the mail server
        if await self.orders.mark_confirmed(order_id, dt.datetime.now(dt.UTC)):
            _log.info("order %s: confirmation sent", order_id)
            await self.feed.changed()

    async def request(self, order_id: int) -> None:
        """The order was placed (after the response): confirm it, or let the relay send its
        ``OrderPlaced`` event now rather than on its next pass."""
        if self.relay is not None:
            self.relay.wake()
        else:
            await self.confirm(order_id)

    async def resume(self) -> int:
        """Confirm every order left unconfirmed (by a process that died); returns how many."""
        done, after = 0, 0
        while ids := await self.orders.unconfirmed(after):
            for order_id in ids:
                await self.confirm(order_id)
            done += len(ids)
            after = ids[-1]
        return done


@event_handler(OrderPlaced)
class ConfirmPlacedOrder:
    """The consumer group's handler (with Redis)."""

    def __init__(self, confirmations: Confirmations) -> None:
        self.confirmations = confirmations

    async def handle(self, event: OrderPlaced) -> None:
        await self.confirmations.confirm(event.order_id)


class ConfirmationsProvider(Provider):
    """Binds ``Confirmations``; without Redis, resumes unconfirmed orders at every start."""

    name = "confirmations"

    def __init__(self, settings: OrdersSettings) -> None:
        self.durable = settings.redis_url is not None
        self._resuming: asyncio.Task[None] | None = None

    def register(self, container: Container) -> None:
        durable = self.durable

        def confirmations(
            orders: OrderRepository, feed: OrderFeed, settings: OrdersSettings
        ) -> Confirmations:
            relay = container.resolve(OutboxRelay) if durable else None
            return Confirmations(orders, feed, settings, relay)

        container.singleton(Confirmations, factory=confirmations)

    async def boot(self, container: Container) -> None:
        if not self.durable:
            confirmations = await container.aresolve(Confirmations)
            self._resuming = asyncio.create_task(self._resume(confirmations))

    async def _resume(self, confirmations: Confirmations) -> None:
        try:
            resumed = await confirmations.resume()
        except Exception:
            _log.exception("resuming the unconfirmed orders failed; the next start retries")
            return
        if resumed:
            _log.info("confirmed %d orders left unconfirmed by an earlier process", resumed)

    async def shutdown(self) -> None:
        task, self._resuming = self._resuming, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
