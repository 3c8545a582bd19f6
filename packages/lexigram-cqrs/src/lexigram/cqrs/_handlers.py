"""Handler decorators and the description of one registered handler.

The decorators only mark the function or class (an attribute on it): nothing is
recorded globally. A ``HandlerRegistry`` collects the marked handlers.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from ._errors import RegistrationError, type_name
from ._messages import Command, Event, Query

H = TypeVar("H")

_MARK_ATTR = "__lexigram_cqrs_handles__"


class MessageKind(enum.Enum):
    """What a handler handles: it decides the bus and the one-or-many rule."""

    COMMAND = "command"
    QUERY = "query"
    EVENT = "event"


class HandlerForm(enum.Enum):
    """How the registered object is called."""

    FUNCTION = "function"  # a function (or any callable) taking the message
    CLASS = "class"  # a class built per message, then ``handle(message)``
    INSTANCE = "instance"  # an object whose ``handle(message)`` is called


class CallStyle(enum.Enum):
    """What calling the handler returns."""

    ASYNC = "async"  # an awaitable
    SYNC = "sync"  # the result itself
    ASYNC_GEN = "async_gen"  # an async iterator (streaming queries)


_BASES: dict[MessageKind, type[Any]] = {
    MessageKind.COMMAND: Command,
    MessageKind.QUERY: Query,
    MessageKind.EVENT: Event,
}


def _mark(kind: MessageKind, message_type: type[Any]) -> Callable[[H], H]:
    if not isinstance(cast("object", message_type), type):
        raise TypeError(
            f"@{kind.value}_handler() takes the message class, e.g. "
            f"@{kind.value}_handler(CreateUser); got {message_type!r}"
        )

    def decorator(handler: H) -> H:
        own: tuple[tuple[MessageKind, type[Any]], ...] = getattr(handler, "__dict__", {}).get(
            _MARK_ATTR, ()
        )
        setattr(handler, _MARK_ATTR, (*own, (kind, message_type)))
        return handler

    return decorator


def command_handler(message_type: type[Command[Any]]) -> Callable[[H], H]:
    """Mark a function or class (with ``handle``) as the handler of ``message_type``."""
    return _mark(MessageKind.COMMAND, message_type)


def query_handler(message_type: type[Query[Any]]) -> Callable[[H], H]:
    """Mark a function or class (with ``handle``) as the handler of ``message_type``."""
    return _mark(MessageKind.QUERY, message_type)


def event_handler(message_type: type[Event]) -> Callable[[H], H]:
    """Mark a function or class (with ``handle``) as a subscriber of ``message_type``."""
    return _mark(MessageKind.EVENT, message_type)


def marks_of(handler: object) -> tuple[tuple[MessageKind, type[Any]], ...]:
    """The ``(kind, message type)`` pairs a handler was decorated with."""
    source = handler if isinstance(handler, type) or inspect.isroutine(handler) else type(handler)
    marks: tuple[tuple[MessageKind, type[Any]], ...] = getattr(source, _MARK_ATTR, ())
    return marks


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """One registered handler of one message type, analysed once at registration.

    ``call`` is the function that receives the message: the function itself, the
    bound ``handle`` of an instance, or the *unbound* ``handle`` of a class.
    """

    kind: MessageKind
    message_type: type[Any]
    handler: Any
    form: HandlerForm
    style: CallStyle
    call: Callable[..., Any]
    name: str


def _style(func: Callable[..., Any]) -> CallStyle:
    if inspect.isasyncgenfunction(func):
        return CallStyle.ASYNC_GEN
    if inspect.iscoroutinefunction(func):
        return CallStyle.ASYNC
    return CallStyle.SYNC


def describe(kind: MessageKind, message_type: type[Any], handler: object) -> HandlerSpec:
    """Analyse ``handler`` once; raise ``RegistrationError`` naming the fix."""
    if not isinstance(cast("object", message_type), type):
        raise RegistrationError(f"message types are classes; got {message_type!r}")
    if isinstance(handler, type):
        handle = getattr(handler, "handle", None)
        if not callable(handle):
            raise RegistrationError(
                f"{type_name(handler)} is registered as a {kind.value} handler but has no "
                "handle(message) method; add one or register a function"
            )
        return HandlerSpec(
            kind, message_type, handler, HandlerForm.CLASS, _style(handle), handle,
            type_name(handler),
        )  # fmt: skip
    if inspect.isroutine(handler) or (
        callable(handler) and not callable(getattr(handler, "handle", None))
    ):
        func = cast("Callable[..., Any]", handler)
        target: Callable[..., Any] = func if inspect.isroutine(func) else type(func).__call__
        return HandlerSpec(
            kind, message_type, handler, HandlerForm.FUNCTION, _style(target), func,
            type_name(handler),
        )  # fmt: skip
    handle = getattr(handler, "handle", None)
    if not callable(handle):
        raise RegistrationError(
            f"{handler!r} is not a handler: register a function, a class with "
            "handle(message), or an instance of one"
        )
    return HandlerSpec(
        kind, message_type, handler, HandlerForm.INSTANCE, _style(handle), handle,
        f"{type_name(type(handler))} instance",
    )  # fmt: skip


def check_kind(kind: MessageKind, message_type: type[Any], name: str) -> None:
    """Reject a query type registered as a command handler and the like."""
    for other, base in _BASES.items():
        if other is not kind and issubclass(message_type, base):
            raise RegistrationError(
                f"{name} is registered as a {kind.value} handler of {type_name(message_type)}, "
                f"which is a {other.value}; use @{other.value}_handler({message_type.__qualname__})"
            )
