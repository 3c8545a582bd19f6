"""``HandlerRegistry``: the handlers of one application, checked as they are added."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, cast

from ._errors import DuplicateHandlerError, RegistrationError, type_name
from ._handlers import HandlerSpec, MessageKind, check_kind, describe, marks_of
from ._messages import Command, Event, Query


class HandlerRegistry:
    """Commands and queries map to exactly one handler each; events to any number.

    A second handler for a command or query raises ``DuplicateHandlerError``
    naming both. Buses freeze the registry they are built from: register every
    handler before creating the buses.
    """

    __slots__ = ("_commands", "_events", "_frozen", "_handlers", "_queries")

    def __init__(self, handlers: Iterable[object] = ()) -> None:
        self._commands: dict[type[Any], HandlerSpec] = {}
        self._queries: dict[type[Any], HandlerSpec] = {}
        self._events: dict[type[Any], list[HandlerSpec]] = {}
        self._handlers: list[object] = []
        self._frozen = False
        for handler in handlers:
            self.add(handler)

    def add(self, handler: object) -> None:
        """Register a handler decorated with ``@command_handler(...)`` and the like.

        An undecorated handler is registered for the message type annotated on its
        first parameter (``async def f(cmd: CreateUser)`` or ``handle(self, cmd: ...)``).
        """
        marks = marks_of(handler) or (_infer(handler),)
        for kind, message_type in marks:
            self.register(kind, message_type, handler)

    def register(self, kind: MessageKind, message_type: type[Any], handler: object) -> HandlerSpec:
        """Register ``handler`` for ``message_type`` explicitly (no decorator needed)."""
        if self._frozen:
            raise RegistrationError(
                f"cannot register {type_name(handler)}: this HandlerRegistry is already used by a "
                "bus; register every handler before creating the buses"
            )
        spec = describe(kind, message_type, handler)
        check_kind(kind, message_type, spec.name)
        if kind is MessageKind.EVENT:
            subscribers = self._events.setdefault(message_type, [])
            for existing in subscribers:
                if existing.handler is handler or existing.handler == handler:
                    raise DuplicateHandlerError("event", message_type, existing.name, spec.name)
            subscribers.append(spec)
        else:
            table = self._commands if kind is MessageKind.COMMAND else self._queries
            existing_spec = table.get(message_type)
            if existing_spec is not None:
                raise DuplicateHandlerError(kind.value, message_type, existing_spec.name, spec.name)
            table[message_type] = spec
        if not any(h is handler for h in self._handlers):
            self._handlers.append(handler)
        return spec

    def freeze(self) -> None:
        """Refuse further registrations (buses call this: their plans are built once)."""
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    @property
    def commands(self) -> Mapping[type[Any], HandlerSpec]:
        return MappingProxyType(self._commands)

    @property
    def queries(self) -> Mapping[type[Any], HandlerSpec]:
        return MappingProxyType(self._queries)

    @property
    def events(self) -> Mapping[type[Any], tuple[HandlerSpec, ...]]:
        return MappingProxyType({t: tuple(specs) for t, specs in self._events.items()})

    @property
    def handlers(self) -> tuple[object, ...]:
        """Every registered handler object, once each, in registration order."""
        return tuple(self._handlers)

    def __len__(self) -> int:
        return len(self._commands) + len(self._queries) + sum(map(len, self._events.values()))


def _infer(handler: object) -> tuple[MessageKind, type[Any]]:
    name = type_name(handler if isinstance(handler, type) or callable(handler) else type(handler))
    hint = (
        f"decorate {name} with @command_handler(Cmd), @query_handler(Q) or @event_handler(Evt), "
        "or annotate its first parameter with the message class"
    )
    if isinstance(handler, type):
        target: Any = getattr(handler, "handle", None)
        skip = 1
    elif inspect.isroutine(handler):
        target, skip = handler, 0
    else:
        target, skip = getattr(handler, "handle", handler), 0
    if not callable(target):
        raise RegistrationError(f"{name} is not a handler; {hint}")
    try:
        params = list(inspect.signature(target).parameters.values())[skip:]
        hints = typing.get_type_hints(target)
    except (TypeError, ValueError, NameError) as exc:
        raise RegistrationError(f"cannot read the signature of {name} ({exc}); {hint}") from exc
    annotation = hints.get(params[0].name) if params else None
    origin = typing.get_origin(annotation) or annotation
    if isinstance(origin, type):
        message_type: type[Any] = cast("type[Any]", origin)
        kind = _kind_of(message_type)
        if kind is not None:
            return kind, message_type
    raise RegistrationError(f"cannot tell which message {name} handles; {hint}")


def _kind_of(message_type: type[Any]) -> MessageKind | None:
    for kind, base in ((MessageKind.COMMAND, Command), (MessageKind.QUERY, Query)):
        if issubclass(message_type, cast("type[Any]", base)):
            return kind
    return MessageKind.EVENT if issubclass(message_type, Event) else None
