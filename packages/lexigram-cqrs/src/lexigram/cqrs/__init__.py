"""Typed commands, queries and events with DI-built handlers and pipeline behaviours.

``CommandBus.dispatch(cmd)`` and ``QueryBus.execute(q)`` return the message's
declared result type; ``EventBus.publish(evt)`` reaches every subscriber. Handlers
are collected into a ``HandlerRegistry`` instance; behaviour chains are linked
once per message type when a bus is built. ``lexigram.cqrs.di`` builds handlers
with a lexigram-di container, in a scope per message when they need one.
"""

from ._buses import CommandBus, QueryBus
from ._catalog import EventCatalog
from ._errors import (
    CQRSError,
    DuplicateHandlerError,
    EventDecodeError,
    HandlerNotFoundError,
    MessageTimeoutError,
    MessageValidationError,
    PublishError,
    RegistrationError,
    TransportError,
)
from ._event_bus import EventBus, PublishStrategy
from ._handlers import (
    CallStyle,
    HandlerForm,
    HandlerSpec,
    MessageKind,
    command_handler,
    event_handler,
    query_handler,
)
from ._integration import (
    Delivery,
    Envelope,
    delivery_of,
    idempotency_key,
    integration_event,
    integration_name,
)
from ._logging import LoggingBehaviour
from ._messages import (
    Command,
    Event,
    Message,
    MessageMetadata,
    Query,
    StreamQuery,
    idempotent,
    is_idempotent,
    metadata_of,
)
from ._outbox import OutboxRelay, OutboxStore
from ._pipeline import Behaviour, DirectActivator, HandlerActivator, Next, OnlyFor, only_for
from ._registry import HandlerRegistry
from ._retry import RetryBehaviour
from ._sqlite_outbox import SQLiteOutbox, SQLiteRunner
from ._timeout import TimeoutBehaviour
from ._transport import EnvelopeHandler, EventTransport
from ._unit_of_work import UnitOfWork, UnitOfWorkBehaviour
from ._validation import ValidationBehaviour, Validator

__all__ = [
    "Behaviour",
    "CQRSError",
    "CallStyle",
    "Command",
    "CommandBus",
    "Delivery",
    "DirectActivator",
    "DuplicateHandlerError",
    "Envelope",
    "EnvelopeHandler",
    "Event",
    "EventBus",
    "EventCatalog",
    "EventDecodeError",
    "EventTransport",
    "HandlerActivator",
    "HandlerForm",
    "HandlerNotFoundError",
    "HandlerRegistry",
    "HandlerSpec",
    "LoggingBehaviour",
    "Message",
    "MessageKind",
    "MessageMetadata",
    "MessageTimeoutError",
    "MessageValidationError",
    "Next",
    "OnlyFor",
    "OutboxRelay",
    "OutboxStore",
    "PublishError",
    "PublishStrategy",
    "Query",
    "QueryBus",
    "RegistrationError",
    "RetryBehaviour",
    "SQLiteOutbox",
    "SQLiteRunner",
    "StreamQuery",
    "TimeoutBehaviour",
    "TransportError",
    "UnitOfWork",
    "UnitOfWorkBehaviour",
    "ValidationBehaviour",
    "Validator",
    "command_handler",
    "delivery_of",
    "event_handler",
    "idempotency_key",
    "idempotent",
    "integration_event",
    "integration_name",
    "is_idempotent",
    "metadata_of",
    "only_for",
    "query_handler",
]
