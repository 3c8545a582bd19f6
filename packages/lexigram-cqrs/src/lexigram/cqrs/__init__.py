"""Typed commands, queries and events with DI-built handlers and pipeline behaviours.

``CommandBus.dispatch(cmd)`` and ``QueryBus.execute(q)`` return the message's
declared result type; ``EventBus.publish(evt)`` reaches every subscriber. Handlers
are collected into a :class:`HandlerRegistry` instance; behaviour chains are linked
once per message type when a bus is built. ``lexigram.cqrs.di`` builds handlers
with a lexigram-di container, in a scope per message when they need one.
"""

from ._buses import CommandBus, QueryBus
from ._errors import (
    CQRSError,
    DuplicateHandlerError,
    HandlerNotFoundError,
    MessageTimeoutError,
    MessageValidationError,
    PublishError,
    RegistrationError,
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
from ._pipeline import Behaviour, DirectActivator, HandlerActivator, Next, OnlyFor, only_for
from ._registry import HandlerRegistry
from ._retry import RetryBehaviour
from ._timeout import TimeoutBehaviour
from ._unit_of_work import UnitOfWork, UnitOfWorkBehaviour
from ._validation import ValidationBehaviour, Validator

__all__ = [
    "Behaviour",
    "CQRSError",
    "CallStyle",
    "Command",
    "CommandBus",
    "DirectActivator",
    "DuplicateHandlerError",
    "Event",
    "EventBus",
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
    "PublishError",
    "PublishStrategy",
    "Query",
    "QueryBus",
    "RegistrationError",
    "RetryBehaviour",
    "StreamQuery",
    "TimeoutBehaviour",
    "UnitOfWork",
    "UnitOfWorkBehaviour",
    "ValidationBehaviour",
    "Validator",
    "command_handler",
    "event_handler",
    "idempotent",
    "is_idempotent",
    "metadata_of",
    "only_for",
    "query_handler",
]
