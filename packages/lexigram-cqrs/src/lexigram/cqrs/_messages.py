"""Message base classes: ``Command[R]``, ``Query[R]``, ``StreamQuery[T]`` and ``Event``.

The bases declare no fields and no class-level annotations, so a user's
``@dataclass(frozen=True)`` (with or without ``kw_only``/``slots``) or pydantic model
subclasses them with exactly the fields it declares. Metadata (message id, timestamp,
correlation and causation ids) lives beside the fields: it is created on first access
and stored in the instance ``__dict__``, which dataclass and pydantic equality, hashing,
``repr`` and serialisation all ignore.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Self, TypeVar

R_co = TypeVar("R_co", covariant=True)
T_co = TypeVar("T_co", covariant=True)
M = TypeVar("M", bound=type[Any])

_METADATA_KEY = "__lexigram_cqrs_metadata__"
_IDEMPOTENT_ATTR = "__lexigram_cqrs_idempotent__"


def _new_id() -> str:
    return str(uuid.uuid4())


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageMetadata:
    """Identity and tracing data of one message.

    ``correlation_id`` ties together every message of one flow (a root message
    correlates to itself); ``causation_id`` is the id of the message that caused
    this one (``None`` for a root message).
    """

    message_id: str = field(default_factory=_new_id)
    timestamp: datetime = field(default_factory=_now)
    correlation_id: str = ""
    causation_id: str | None = None

    def __post_init__(self) -> None:
        if not self.correlation_id:
            object.__setattr__(self, "correlation_id", self.message_id)

    def child(self) -> MessageMetadata:
        """Metadata for a new message caused by the message this metadata describes."""
        return MessageMetadata(correlation_id=self.correlation_id, causation_id=self.message_id)


def store_metadata(message: object, metadata: MessageMetadata) -> None:
    """Attach ``metadata`` to ``message`` (replacing any it had)."""
    try:
        vars(message)[_METADATA_KEY] = metadata
    except TypeError:
        raise TypeError(
            f"{type(message).__qualname__} instances have no __dict__ to hold metadata; "
            "subclass Command, Query or Event (their instances always have one)"
        ) from None


def metadata_of(message: object) -> MessageMetadata:
    """The metadata of ``message``, created (and kept) on first access."""
    try:
        found = vars(message).get(_METADATA_KEY)
    except TypeError:
        found = None
    if found is None:
        found = MessageMetadata()
        store_metadata(message, found)
    return found


class Message:
    """Base of every message. Adds no fields; see ``metadata_of``."""

    # No __slots__: instances keep a __dict__ (even under ``slots=True`` dataclasses)
    # so metadata can be attached without touching the declared fields.

    @property
    def message_metadata(self) -> MessageMetadata:
        """Id, timestamp, correlation and causation ids (created on first access)."""
        return metadata_of(self)

    def caused_by(self, cause: Message) -> Self:
        """Stamp this message as caused by ``cause`` (same correlation id); returns ``self``."""
        parent = cause.message_metadata
        current: MessageMetadata | None = vars(self).get(_METADATA_KEY)
        store_metadata(
            self,
            MessageMetadata(
                message_id=current.message_id if current else _new_id(),
                timestamp=current.timestamp if current else _now(),
                correlation_id=parent.correlation_id,
                causation_id=parent.message_id,
            ),
        )
        return self

    def correlated_with(self, correlation_id: str) -> Self:
        """Stamp this message with an external correlation id (a request id); returns ``self``."""
        if not correlation_id:
            raise ValueError("correlation_id must be a non-empty string")
        current: MessageMetadata | None = vars(self).get(_METADATA_KEY)
        store_metadata(
            self,
            MessageMetadata(
                message_id=current.message_id if current else _new_id(),
                timestamp=current.timestamp if current else _now(),
                correlation_id=correlation_id,
                causation_id=current.causation_id if current else None,
            ),
        )
        return self


class Command(Message, Generic[R_co]):
    """A request to change state, handled by exactly one handler; ``R_co`` is its result."""


class Query(Message, Generic[R_co]):
    """A request for data, handled by exactly one handler; ``R_co`` is its result."""


class StreamQuery(Query[AsyncIterator[T_co]], Generic[T_co]):
    """A query whose handler yields items: ``QueryBus.stream(q)`` iterates them."""


class Event(Message):
    """A fact that happened, published to every handler subscribed to its type."""


def idempotent(message_type: M) -> M:
    """Class decorator: mark a message type safe to retry (``RetryBehaviour`` needs this)."""
    setattr(message_type, _IDEMPOTENT_ATTR, True)
    return message_type


def is_idempotent(message_type: type[Any]) -> bool:
    """Whether ``message_type`` (or a base class) was marked with ``idempotent``."""
    return bool(getattr(message_type, _IDEMPOTENT_ATTR, False))
