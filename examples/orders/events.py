"""The example's integration event: ``OrderPlaced`` leaves the process through the outbox and
the Redis stream when Redis is configured (``LEXIGRAM_REDIS_URL``)."""

from __future__ import annotations

from dataclasses import dataclass

from lexigram.cqrs import Event, EventCatalog, integration_event

__all__ = ["OrderPlaced", "integration_events"]


@integration_event("orders.order-placed")
@dataclass(frozen=True)
class OrderPlaced(Event):
    """An order was placed: its confirmation is due."""

    order_id: int


def integration_events() -> EventCatalog:
    """The integration events of the example, by name (a new catalog per application)."""
    return EventCatalog([OrderPlaced])
