"""Integration events: the marker, the catalog's JSON form, the bus routing them to a transport."""

import dataclasses
import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import pytest

from lexigram.cqrs import (
    Delivery,
    Envelope,
    EnvelopeHandler,
    Event,
    EventBus,
    EventCatalog,
    EventDecodeError,
    EventTransport,
    HandlerRegistry,
    RegistrationError,
    TransportError,
    delivery_of,
    event_handler,
    idempotency_key,
    integration_event,
    integration_name,
    metadata_of,
)


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass(frozen=True)
class Line:
    sku: str
    quantity: int


@integration_event("orders.placed")
@dataclasses.dataclass(frozen=True)
class OrderPlaced(Event):
    order_id: int
    lines: tuple[Line, ...] = ()
    tags: list[str] = dataclasses.field(default_factory=list[str])
    pairs: tuple[tuple[str, int], ...] = ()
    at: dt.datetime | None = None
    day: dt.date | None = None
    ref: uuid.UUID | None = None
    amount: decimal.Decimal = decimal.Decimal("0")
    colour: Colour = Colour.RED
    kind: Literal["a", "b"] = "a"
    extra: dict[str, float] = dataclasses.field(default_factory=dict[str, float])


@integration_event("users.renamed")
class UserRenamed(pydantic.BaseModel, Event):
    model_config = pydantic.ConfigDict(frozen=True)
    user_id: int
    name: str


@dataclasses.dataclass(frozen=True)
class LocalHappened(Event):
    value: int


class Recording:
    """A transport that keeps what it is given (the Redis tests use the real one)."""

    def __init__(self, *, fail: bool = False) -> None:
        self.sent: list[Envelope] = []
        self.fail = fail

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        if self.fail:
            raise ConnectionError("connection refused")
        self.sent.extend(envelopes)

    async def consume(
        self, handler: EnvelopeHandler, *, group: str, consumer: str | None = None, stop: Any
    ) -> None:
        for index, envelope in enumerate(self.sent):
            delivery = Delivery(envelope.message_id, 1, "mem", str(index), group, "c")
            await handler(envelope, delivery)


def test_a_recording_transport_satisfies_the_protocol() -> None:
    transport: EventTransport = Recording()
    assert isinstance(transport, EventTransport)


def test_integration_event_names_the_type_and_is_not_inherited() -> None:
    @dataclasses.dataclass(frozen=True)
    class Sub(OrderPlaced):
        pass

    assert integration_name(OrderPlaced) == "orders.placed"
    assert integration_name(Sub) is None
    assert integration_name(LocalHappened) is None


@pytest.mark.parametrize("name", ["", " x", "x ", 3])
def test_integration_event_rejects_a_blank_or_padded_name(name: Any) -> None:
    with pytest.raises(RegistrationError, match="stable name"):
        integration_event(name)


def test_integration_event_marks_only_events() -> None:
    with pytest.raises(RegistrationError, match=r"derive it from lexigram\.cqrs\.Event"):
        integration_event("x")(Line)


def test_a_dataclass_event_round_trips_with_its_metadata() -> None:
    catalog = EventCatalog([OrderPlaced])
    event = OrderPlaced(
        7,
        lines=(Line("TEA", 2),),
        tags=["gift"],
        pairs=(("a", 1),),
        at=dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC),
        day=dt.date(2024, 5, 1),
        ref=uuid.UUID(int=5),
        amount=decimal.Decimal("9.95"),
        colour=Colour.BLUE,
        kind="b",
        extra={"x": 1.5},
    ).correlated_with("request-1")
    envelope = catalog.encode(event)
    decoded = catalog.decode(envelope)
    assert decoded == event
    assert metadata_of(decoded) == metadata_of(event)
    assert envelope.name == "orders.placed"
    assert envelope.correlation_id == "request-1"


def test_a_pydantic_event_round_trips() -> None:
    catalog = EventCatalog([UserRenamed])
    event = UserRenamed(user_id=1, name="Ann")
    assert catalog.decode(catalog.encode(event)) == event


def test_the_idempotency_key_is_the_message_id_and_survives_the_trip() -> None:
    catalog = EventCatalog([OrderPlaced])
    event = OrderPlaced(1)
    decoded = catalog.decode(catalog.encode(event))
    assert idempotency_key(decoded) == idempotency_key(event) == metadata_of(event).message_id


def test_a_field_without_a_json_form_fails_when_the_type_is_added() -> None:
    @integration_event("bad.event")
    @dataclasses.dataclass(frozen=True)
    class Bad(Event):
        handle: object

    with pytest.raises(RegistrationError, match=r"Bad\.handle has type object.*pydantic"):
        EventCatalog([Bad])


def test_a_union_of_converted_types_is_refused() -> None:
    @integration_event("bad.union")
    @dataclasses.dataclass(frozen=True)
    class Ambiguous(Event):
        value: dt.date | uuid.UUID

    with pytest.raises(RegistrationError, match="cannot be told apart"):
        EventCatalog([Ambiguous])


def test_two_types_with_one_name_are_refused() -> None:
    @integration_event("orders.placed")
    @dataclasses.dataclass(frozen=True)
    class Twin(Event):
        order_id: int

    with pytest.raises(RegistrationError, match="used by both"):
        EventCatalog([OrderPlaced, Twin])


def test_an_unmarked_type_is_refused_with_the_fix() -> None:
    with pytest.raises(RegistrationError, match="@integration_event"):
        EventCatalog().encode(LocalHappened(1))


def test_an_unknown_name_is_a_decode_error() -> None:
    envelope = Envelope("nobody.knows", b"{}", "m", "m", None, "2024-01-01T00:00:00+00:00")
    with pytest.raises(EventDecodeError, match=r"nobody\.knows.*known: orders\.placed"):
        EventCatalog([OrderPlaced]).decode(envelope)


@pytest.mark.parametrize("data", [b"not json", b"[1]", b'{"order_id": 1, "at": "noon"}', b"{}"])
def test_a_payload_that_does_not_fit_is_a_decode_error(data: bytes) -> None:
    envelope = Envelope("orders.placed", data, "m", "m", None, "2024-01-01T00:00:00+00:00")
    with pytest.raises(EventDecodeError, match="does not fit"):
        EventCatalog([OrderPlaced]).decode(envelope)


def test_fields_a_newer_producer_added_are_ignored() -> None:
    data = b'{"order_id": 4, "added_later": true}'
    envelope = Envelope("orders.placed", data, "m", "m", None, "2024-01-01T00:00:00+00:00")
    assert EventCatalog([OrderPlaced]).decode(envelope) == OrderPlaced(4)


async def test_with_a_transport_integration_events_leave_and_local_events_stay() -> None:
    handled: list[object] = []

    @event_handler(OrderPlaced)
    async def on_placed(event: OrderPlaced) -> None:
        handled.append(event)

    @event_handler(LocalHappened)
    async def on_local(event: LocalHappened) -> None:
        handled.append(event)

    transport = Recording()
    bus = EventBus(HandlerRegistry([on_placed, on_local]), transport=transport)
    placed = OrderPlaced(1)
    await bus.publish(placed)
    await bus.publish(LocalHappened(2))
    assert handled == [LocalHappened(2)]
    assert [e.name for e in transport.sent] == ["orders.placed"]

    await transport.consume(bus.receive, group="g", stop=None)
    assert handled == [LocalHappened(2), placed]
    delivery = delivery_of(handled[1])
    assert delivery is not None and delivery.idempotency_key == metadata_of(placed).message_id


async def test_without_a_transport_integration_events_are_handled_in_process() -> None:
    handled: list[int] = []

    @event_handler(OrderPlaced)
    async def on_placed(event: OrderPlaced) -> None:
        handled.append(event.order_id)

    await EventBus(HandlerRegistry([on_placed])).publish(OrderPlaced(3))
    assert handled == [3]


async def test_a_transport_failure_is_a_transport_error_naming_the_outbox() -> None:
    bus = EventBus(HandlerRegistry(), transport=Recording(fail=True))
    with pytest.raises(TransportError, match="outbox"):
        await bus.publish(OrderPlaced(1))


def test_handled_integration_types_are_in_the_bus_catalog() -> None:
    @event_handler(UserRenamed)
    async def on_renamed(event: UserRenamed) -> None:
        pass

    bus = EventBus(HandlerRegistry([on_renamed]))
    assert "users.renamed" in bus.catalog
    assert bus.catalog.names == ("users.renamed",)


def test_a_bad_handled_integration_type_fails_when_the_bus_is_built() -> None:
    @integration_event("bad.handled")
    @dataclasses.dataclass(frozen=True)
    class Bad(Event):
        handle: object

    @event_handler(Bad)
    async def on_bad(event: Bad) -> None:
        pass

    with pytest.raises(RegistrationError, match="no JSON form"):
        EventBus(HandlerRegistry([on_bad]))
