"""Type-checked, never run: pins the result types of dispatch, execute and stream.

A ``# type: ignore`` below marks an error that MUST be reported; both checkers are
configured to fail on an unused ignore, so these lines fail if the error disappears.
"""

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Generic, TypeVar, assert_type

import pydantic

from lexigram.cqrs import (
    Command,
    CommandBus,
    Event,
    EventBus,
    Query,
    QueryBus,
    StreamQuery,
    command_handler,
    query_handler,
)

T = TypeVar("T")
E = TypeVar("E")


@dataclass(frozen=True)
class Outcome(Generic[T, E]):
    value: T | None = None
    error: E | None = None


@dataclass(frozen=True)
class CreateUser(Command[int]):
    name: str


@dataclass(frozen=True, kw_only=True)
class DeleteUser(Command[Outcome[None, str]]):
    user_id: int


class GetUser(pydantic.BaseModel, Query[str]):
    user_id: int


@dataclass(frozen=True)
class ListUsers(StreamQuery[str]):
    limit: int


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: int


@command_handler(CreateUser)
class CreateUserHandler:
    async def handle(self, command: CreateUser) -> int:
        return 1


@query_handler(GetUser)
async def get_user(query: GetUser) -> str:
    return "ann"


async def results(commands: CommandBus, queries: QueryBus, events: EventBus) -> None:
    assert_type(await commands.dispatch(CreateUser("ann")), int)
    assert_type(await commands.dispatch(DeleteUser(user_id=1)), Outcome[None, str])
    assert_type(await queries.execute(GetUser(user_id=1)), str)
    assert_type(await queries.execute(ListUsers(3)), AsyncIterator[str])
    assert_type(queries.stream(ListUsers(3)), AsyncGenerator[str, None])
    assert_type(await events.publish(UserCreated(1)), None)
    assert_type(CreateUserHandler, type[CreateUserHandler])
    assert_type(await get_user(GetUser(user_id=1)), str)  # decorators keep the signature


async def wrong_bus(commands: CommandBus, queries: QueryBus) -> None:
    await commands.dispatch(GetUser(user_id=1))  # type: ignore[arg-type]
    await queries.execute(CreateUser("ann"))  # type: ignore[arg-type]
    queries.stream(GetUser(user_id=1))  # type: ignore[arg-type]
