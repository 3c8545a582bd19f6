"""``EventTransport``: the seam between the event bus and a durable stream.

lexigram-cqrs owns this Protocol; ``lexigram.cqrs.redis.RedisStreamTransport`` satisfies it.
A transport moves ``Envelope`` values; the bus encodes and decodes events with its
``EventCatalog``, so a transport never sees event classes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from ._integration import Delivery, Envelope

EnvelopeHandler = Callable[[Envelope, Delivery], Awaitable[None]]
"""What a consumer calls per message (``EventBus.receive``); returning means "done, ack it"."""


@runtime_checkable
class EventTransport(Protocol):
    """Publishes envelopes durably and delivers them to consumer groups.

    - ``publish`` returns once every envelope is stored, or raises ``TransportError``
      (never hangs: implementations bound each call);
    - ``consume`` runs until ``stop`` is set: it hands each message to ``handler`` and
      acknowledges it when the handler returns. Each group gets every message; the
      consumers of one group share them. A message whose handler raised is delivered
      again (a bounded number of times, then dead-lettered); an
      ``EventDecodeError`` dead-letters it at once. When ``stop`` is set the message
      in hand is finished, then ``consume`` returns.
    """

    async def publish(self, envelopes: Sequence[Envelope]) -> None: ...

    async def consume(
        self,
        handler: EnvelopeHandler,
        *,
        group: str,
        consumer: str | None = None,
        stop: asyncio.Event,
    ) -> None: ...
