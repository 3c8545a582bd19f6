"""``EventCatalog``: integration event types by name, and their JSON form.

Each type's encoder and decoder are built once, when it is added; encoding an event is then
one dict lookup and one JSON dump. Payloads are JSON (never pickle): a dataclass event
becomes an object of its fields, a pydantic model its ``model_dump_json()``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from ._errors import EventDecodeError, RegistrationError, type_name
from ._integration import Delivery, Envelope, attach_delivery, integration_name
from ._json_form import dataclass_converter, dumps, loads
from ._messages import Event, MessageMetadata, metadata_of, store_metadata


@dataclass(frozen=True, slots=True)
class _Codec:
    name: str
    event_type: type[Any]
    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]


class EventCatalog:
    """The integration event types one application sends and receives, by name.

    ``EventCatalog([OrderPlaced, OrderShipped])``; each type is marked with
    ``@integration_event(name)``. A name used twice, a type that is not marked, or a field
    with no JSON form raises ``RegistrationError`` when the type is added. A marked
    type that is encoded without having been added is added then (once).
    """

    __slots__ = ("_by_name", "_by_type")

    def __init__(self, event_types: Iterable[type[Event]] = ()) -> None:
        self._by_name: dict[str, _Codec] = {}
        self._by_type: dict[type[Any], _Codec] = {}
        for event_type in event_types:
            self.add(event_type)

    def add(self, event_type: type[Event]) -> str:
        """Add ``event_type`` (idempotent); returns its name."""
        known = self._by_type.get(event_type)
        if known is not None:
            return known.name
        name = integration_name(event_type)
        if name is None:
            raise RegistrationError(
                f"{type_name(event_type)} is not an integration event: mark it with "
                f'@integration_event("<stable name>") to send it through a transport or an outbox'
            )
        taken = self._by_name.get(name)
        if taken is not None:
            raise RegistrationError(
                f"integration event name {name!r} is used by both {type_name(taken.event_type)} "
                f"and {type_name(event_type)}: give each type its own name"
            )
        codec = _codec(name, event_type)
        self._by_name[name] = self._by_type[event_type] = codec
        return name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def __contains__(self, item: object) -> bool:
        """Whether ``item`` (a name or an event type) is in the catalog."""
        return any(item == key for key in (*self._by_name, *self._by_type))

    def __len__(self) -> int:
        return len(self._by_name)

    def encode(self, event: Event) -> Envelope:
        """The envelope of ``event``: name, JSON payload, metadata."""
        codec = self._by_type.get(type(event))
        if codec is None:
            self.add(type(event))
            codec = self._by_type[type(event)]
        meta = metadata_of(event)
        return Envelope(
            codec.name,
            codec.encode(event),
            meta.message_id,
            meta.correlation_id,
            meta.causation_id,
            meta.timestamp.isoformat(),
        )

    def decode(self, envelope: Envelope, delivery: Delivery | None = None) -> Event:
        """The event of ``envelope``, with its metadata (and ``delivery``) restored.

        Raises ``EventDecodeError`` for an unknown name or a payload that does not
        fit the type: retrying cannot help, so consumers dead-letter such messages.
        """
        codec = self._by_name.get(envelope.name)
        if codec is None:
            known = ", ".join(sorted(self._by_name)) or "none"
            raise EventDecodeError(
                envelope.name,
                f"no event type is registered under this name (known: {known}); add the "
                "type to the consumer's EventCatalog or register a handler for it",
            )
        try:
            event: Event = codec.decode(envelope.data)
            stamp = dt.datetime.fromisoformat(envelope.timestamp)
        except Exception as exc:
            raise EventDecodeError(
                envelope.name, f"the payload does not fit {type_name(codec.event_type)}: {exc!r}"
            ) from exc
        store_metadata(
            event,
            MessageMetadata(
                message_id=envelope.message_id,
                timestamp=stamp,
                correlation_id=envelope.correlation_id,
                causation_id=envelope.causation_id,
            ),
        )
        if delivery is not None:
            attach_delivery(event, delivery)
        return event


def _codec(name: str, event_type: type[Any]) -> _Codec:
    validate = getattr(event_type, "model_validate_json", None)
    if callable(validate) and callable(getattr(event_type, "model_dump_json", None)):
        decode_model = cast("Callable[[bytes], Any]", validate)
        return _Codec(name, event_type, lambda e: e.model_dump_json().encode(), decode_model)
    if not dataclasses.is_dataclass(event_type):
        raise RegistrationError(
            f"{type_name(event_type)} cannot be sent as JSON: make it a @dataclass or a "
            "pydantic model"
        )
    fields = tuple(f.name for f in dataclasses.fields(event_type) if f.init)
    build = dataclass_converter(event_type, event_type.__qualname__)

    def encode(event: Any) -> bytes:
        return dumps({field: getattr(event, field) for field in fields})

    def decode(data: bytes) -> Any:
        payload = loads(data)
        if not isinstance(payload, dict):
            raise TypeError(f"expected a JSON object, got {type(payload).__name__}")
        return build(payload)

    return _Codec(name, event_type, encode, decode)
