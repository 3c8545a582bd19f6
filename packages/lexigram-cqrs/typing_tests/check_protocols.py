"""Type-checked, never run: the buses satisfy the seams a web layer declares.

The protocols are restated here (this package never imports the web layer).
"""

from typing import Any, Protocol

from lexigram.cqrs import CommandBus, HandlerRegistry, QueryBus


class CommandBusProtocol(Protocol):
    async def dispatch(self, command: Any) -> Any: ...


class QueryBusProtocol(Protocol):
    async def execute(self, query: Any) -> Any: ...


def conforms(registry: HandlerRegistry) -> None:
    commands: CommandBusProtocol = CommandBus(registry)
    queries: QueryBusProtocol = QueryBus(registry)
    del commands, queries
