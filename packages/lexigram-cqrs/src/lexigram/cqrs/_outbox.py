"""The transactional outbox: ``OutboxStore`` (the seam) and ``OutboxRelay`` (the mover).

An application writes its integration events into an outbox table in the same database
transaction as the change they announce (``outbox.add(connection, event)``): both commit or
neither does. The relay moves committed rows to the transport, oldest first, and marks them
relayed. Guarantees:

- **at least once to the transport**: a row is marked relayed only after the transport took
  it. A crash (or a failed mark) between the two sends the row again on the next pass; the
  copy has the same ``message_id``, the idempotency key consumers use to ignore it;
- **order**: rows are sent in id order within a batch and batches follow each other, so
  events reach the stream roughly in the order they were written; rows of transactions that
  commit out of id order, and rows sent again after a failure, can arrive out of order;
- **several relays** (workers, hosts): each row is claimed by one relay in the normal case
  (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: a claim lease), so nothing is sent twice
  unless a relay dies mid-batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from ._integration import Envelope
from ._transport import EventTransport

Send = Callable[[Sequence[Envelope]], Awaitable[None]]

_log = logging.getLogger("lexigram.cqrs.outbox")


@runtime_checkable
class OutboxStore(Protocol):
    """Where an outbox lives: ``SQLiteOutbox``, ``lexigram.cqrs.postgres.PostgresOutbox``."""

    async def relay(self, send: Send, limit: int) -> int:
        """Relay up to ``limit`` unrelayed rows, oldest first; return how many were sent.

        The rows are claimed, passed to ``await send(envelopes)``, then marked relayed. If
        ``send`` raises, the rows stay unrelayed (for the next pass) and the error
        propagates."""
        ...


class OutboxRelay:
    """Moves outbox rows to a transport: ``await relay.run(stop)`` until ``stop`` is set.

    Each pass sends batches of ``batch_size`` until the outbox is empty, then waits
    ``interval`` seconds or until ``wake`` is called (call it after committing a
    transaction that wrote events, for low latency). A failing pass (the transport or the
    database is down) is logged and retried with a backoff doubling up to ``max_backoff``;
    nothing is lost meanwhile: the rows wait in the table.
    """

    __slots__ = ("_batch", "_interval", "_max_backoff", "_store", "_transport", "_wake")

    def __init__(
        self,
        store: OutboxStore,
        transport: EventTransport,
        *,
        batch_size: int = 100,
        interval: float = 1.0,
        max_backoff: float = 30.0,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if interval <= 0 or max_backoff <= 0:
            raise ValueError("interval and max_backoff are positive numbers of seconds")
        self._store = store
        self._transport = transport
        self._batch = batch_size
        self._interval = interval
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Start the next pass now (new rows were committed)."""
        self._wake.set()

    async def relay_pending(self) -> int:
        """Send every row that is waiting now; returns how many were sent."""
        total = 0
        while True:
            sent = await self._store.relay(self._transport.publish, self._batch)
            total += sent
            if sent < self._batch:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set (a batch in flight is finished first)."""
        backoff = min(self._interval, 0.1)
        failing = False
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.relay_pending()
            except Exception as exc:
                if not failing:
                    _log.warning(
                        "outbox relay: a pass failed (%s: %s); the rows wait in the outbox, "
                        "retrying with backoff",
                        type(exc).__name__,
                        exc,
                    )
                failing = True
                await _wait(stop, None, backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            if failing:
                _log.warning("outbox relay: passes succeed again")
            failing = False
            backoff = min(self._interval, 0.1)
            await _wait(stop, self._wake, self._interval)


async def _wait(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stop`` (or ``wake``) is set."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*waiters, return_exceptions=True)
