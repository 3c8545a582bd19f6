"""``CommandBus`` and ``QueryBus``: one handler per message type, chains built once."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, TypeVar, cast

from ._errors import HandlerNotFoundError
from ._handlers import HandlerSpec
from ._messages import Command, Event, Query, StreamQuery
from ._pipeline import DirectActivator, HandlerActivator, Next, iterate, select_behaviours
from ._registry import HandlerRegistry

R = TypeVar("R")
T = TypeVar("T")


def compile_plans(
    specs: Mapping[type[Any], HandlerSpec],
    behaviours: Sequence[object],
    activator: HandlerActivator,
) -> dict[type[Any], Next]:
    return {
        message_type: activator.activate(spec, select_behaviours(behaviours, message_type))
        for message_type, spec in specs.items()
    }


def wrong_bus_hint(message: object, expected: str) -> str:
    for base, kind, where in (
        (Command, "command", "CommandBus.dispatch(command)"),
        (Query, "query", "QueryBus.execute(query)"),
        (Event, "event", "EventBus.publish(event)"),
    ):
        if kind != expected and isinstance(message, cast("type[Any]", base)):
            return f"{type(message).__qualname__} is a {kind}: send it with {where}"
    return ""


class CommandBus:
    """Sends each command to its one handler through the configured behaviours.

    ``behaviours`` run in the given order (the first is outermost); wrap one in
    ``only_for`` to limit it to some command types. ``activator`` decides how
    handler classes are built (default: no container).
    """

    __slots__ = ("_plans",)

    def __init__(
        self,
        registry: HandlerRegistry,
        *,
        behaviours: Sequence[object] = (),
        activator: HandlerActivator | None = None,
    ) -> None:
        registry.freeze()
        self._plans = compile_plans(
            registry.commands, tuple(behaviours), activator or DirectActivator()
        )

    async def dispatch(self, command: Command[R]) -> R:
        """Run the handler of ``type(command)`` and return its result unchanged."""
        try:
            invoke = self._plans[type(command)]
        except KeyError:
            raise HandlerNotFoundError(
                "command", type(command), wrong_bus_hint(command, "command")
            ) from None
        result: R = await invoke(command)
        return result

    def handles(self, command_type: type[Any]) -> bool:
        """Whether a handler is registered for ``command_type``."""
        return command_type in self._plans


class QueryBus:
    """Sends each query to its one handler; ``stream`` iterates streaming queries."""

    __slots__ = ("_plans",)

    def __init__(
        self,
        registry: HandlerRegistry,
        *,
        behaviours: Sequence[object] = (),
        activator: HandlerActivator | None = None,
    ) -> None:
        registry.freeze()
        self._plans = compile_plans(
            registry.queries, tuple(behaviours), activator or DirectActivator()
        )

    async def execute(self, query: Query[R]) -> R:
        """Run the handler of ``type(query)`` and return its result unchanged."""
        try:
            invoke = self._plans[type(query)]
        except KeyError:
            raise HandlerNotFoundError(
                "query", type(query), wrong_bus_hint(query, "query")
            ) from None
        result: R = await invoke(query)
        return result

    def stream(self, query: StreamQuery[T]) -> AsyncGenerator[T, None]:
        """Iterate the items of a streaming query: ``async for item in bus.stream(q)``.

        Behaviours run when iteration starts; the handler's resources (its DI scope)
        are released when iteration ends or the iterator is closed.
        """
        return iterate(self.execute, query)

    def handles(self, query_type: type[Any]) -> bool:
        """Whether a handler is registered for ``query_type``."""
        return query_type in self._plans
