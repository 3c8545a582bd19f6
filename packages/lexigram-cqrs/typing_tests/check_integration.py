"""Static checks: the integration-event API keeps the types it is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_type

from lexigram.cqrs import (
    Delivery,
    Envelope,
    Event,
    EventCatalog,
    EventTransport,
    OutboxStore,
    SQLiteOutbox,
    delivery_of,
    idempotency_key,
    integration_event,
)


@integration_event("typing.placed")
@dataclass(frozen=True)
class Placed(Event):
    order_id: int


async def check(catalog: EventCatalog, transport: EventTransport) -> None:
    event = Placed(1)
    assert_type(event, Placed)
    assert_type(catalog.encode(event), Envelope)
    assert_type(catalog.decode(catalog.encode(event)), Event)
    assert_type(delivery_of(event), Delivery | None)
    assert_type(idempotency_key(event), str)
    store: OutboxStore = SQLiteOutbox(catalog=catalog)  # satisfies the seam statically
    assert_type(await store.relay(transport.publish, 10), int)
