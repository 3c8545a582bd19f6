"""Integration events: the marker, the encoded form (``Envelope``) and delivery details.

An integration event is an ``Event`` that leaves the process: ``@integration_event(
"orders.placed")`` gives its class a stable name, the one written into a stream or an
outbox row. The marker is an attribute on the class; nothing is recorded globally.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from ._errors import RegistrationError, type_name
from ._messages import Event, metadata_of

E = TypeVar("E", bound=type[Any])

_NAME_ATTR = "__lexigram_cqrs_integration_name__"
_DELIVERY_KEY = "__lexigram_cqrs_delivery__"


def integration_event(name: str) -> Callable[[E], E]:
    """Class decorator: publish this ``Event`` type under ``name`` (e.g. ``"orders.placed"``).

    The name is what travels, so renaming or moving the class keeps old messages readable;
    keep it stable. Without a transport an integration event is handled in-process like any
    other event; with one (``EventBus(..., transport=...)``) it is sent to the transport.
    """
    if not isinstance(cast("object", name), str) or not name.strip() or name != name.strip():
        raise RegistrationError(
            f"@integration_event() takes the event's stable name, e.g. "
            f'@integration_event("orders.placed"); got {name!r}'
        )

    def mark(event_type: E) -> E:
        if not (isinstance(cast("object", event_type), type) and issubclass(event_type, Event)):
            raise RegistrationError(
                f"@integration_event({name!r}) marks Event subclasses; "
                f"{type_name(event_type)} is not one: derive it from lexigram.cqrs.Event"
            )
        setattr(event_type, _NAME_ATTR, (event_type, name))
        return event_type

    return mark


def integration_name(event_type: type[Any]) -> str | None:
    """The name given with ``integration_event``, or ``None`` (a local event).

    The mark is not inherited: a subclass of an integration event is a local event
    until it is marked with a name of its own.
    """
    mark: tuple[type[Any], str] | None = getattr(event_type, _NAME_ATTR, None)
    if mark is None or mark[0] is not event_type:
        return None
    return mark[1]


@dataclass(frozen=True, slots=True)
class Envelope:
    """One integration event as it travels: its name, JSON payload and metadata.

    ``message_id`` is the event's id (``metadata_of``), kept across every copy of the
    event (a redelivery, a second relay of an outbox row): it is the idempotency key.
    """

    name: str
    data: bytes
    message_id: str
    correlation_id: str
    causation_id: str | None
    timestamp: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """How an event received from a transport got here (see ``delivery_of``).

    ``attempt`` counts deliveries of this message to the group (1 the first time);
    ``source`` is the stream, ``position`` the entry id in it.
    """

    idempotency_key: str
    attempt: int
    source: str
    position: str
    group: str
    consumer: str


def attach_delivery(event: Event, delivery: Delivery) -> None:
    vars(event)[_DELIVERY_KEY] = delivery


def delivery_of(event: object) -> Delivery | None:
    """The ``Delivery`` of an event received from a transport (``None`` otherwise)."""
    try:
        found: Delivery | None = vars(event).get(_DELIVERY_KEY)
    except TypeError:
        return None
    return found


def idempotency_key(event: Event) -> str:
    """A key that is the same for every delivery of this event: its message id.

    A handler that records the keys it has applied (in the same transaction as its
    effect, or with ``lexigram.cqrs.redis.RedisIdempotency``) makes redelivery harmless.
    """
    return metadata_of(event).message_id
