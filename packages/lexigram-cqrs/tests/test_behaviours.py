from dataclasses import dataclass
from typing import Any

import pytest

from lexigram.cqrs import (
    Command,
    CommandBus,
    HandlerRegistry,
    Next,
    RegistrationError,
    command_handler,
    only_for,
)


@dataclass(frozen=True)
class CreateUser(Command[str]):
    name: str


@dataclass(frozen=True)
class DeleteUser(Command[str]):
    user_id: int


@command_handler(CreateUser)
@command_handler(DeleteUser)
async def handle(message: CreateUser | DeleteUser) -> str:
    return "handled"


def recorder(name: str, log: list[str]) -> Any:
    async def behaviour(message: Any, next: Next) -> Any:
        log.append(f"{name}:before")
        result = await next(message)
        log.append(f"{name}:after")
        return result

    return behaviour


async def test_behaviours_run_in_the_given_order_around_the_handler() -> None:
    log: list[str] = []
    bus = CommandBus(
        HandlerRegistry([handle]), behaviours=[recorder("outer", log), recorder("inner", log)]
    )
    assert await bus.dispatch(CreateUser("a")) == "handled"
    assert log == ["outer:before", "inner:before", "inner:after", "outer:after"]


async def test_a_behaviour_can_short_circuit_the_handler() -> None:
    log: list[str] = []

    async def cached(message: Any, next: Next) -> Any:
        return "from cache"

    bus = CommandBus(HandlerRegistry([handle]), behaviours=[cached, recorder("inner", log)])
    assert await bus.dispatch(CreateUser("a")) == "from cache"
    assert log == []


async def test_a_behaviour_may_pass_on_a_replacement_message() -> None:
    @command_handler(CreateUser)
    async def echo(command: CreateUser) -> str:
        return command.name

    async def normalise(message: Any, next: Next) -> Any:
        return await next(CreateUser(message.name.strip().lower()))

    bus = CommandBus(HandlerRegistry([echo]), behaviours=[normalise])
    assert await bus.dispatch(CreateUser("  Ann ")) == "ann"


async def test_only_for_limits_a_behaviour_to_some_message_types() -> None:
    log: list[str] = []
    bus = CommandBus(
        HandlerRegistry([handle]), behaviours=[only_for(recorder("create-only", log), CreateUser)]
    )
    await bus.dispatch(DeleteUser(1))
    assert log == []
    await bus.dispatch(CreateUser("a"))
    assert log == ["create-only:before", "create-only:after"]


def test_only_for_needs_a_message_type() -> None:
    with pytest.raises(RegistrationError, match="at least one message type"):
        only_for(recorder("x", []))


async def test_applies_to_is_consulted_once_per_message_type_not_per_send() -> None:
    asked: list[type[Any]] = []

    class Selective:
        def applies_to(self, message_type: type[Any]) -> bool:
            asked.append(message_type)
            return message_type is DeleteUser

        async def __call__(self, message: Any, next: Next) -> Any:
            return "intercepted"

    bus = CommandBus(HandlerRegistry([handle]), behaviours=[Selective()])
    for _ in range(3):
        assert await bus.dispatch(CreateUser("a")) == "handled"
        assert await bus.dispatch(DeleteUser(1)) == "intercepted"
    assert sorted(t.__name__ for t in asked) == ["CreateUser", "DeleteUser"]


async def test_a_behaviour_class_is_built_once_per_bus() -> None:
    built: list[object] = []

    class Counting:
        def __init__(self) -> None:
            built.append(self)

        async def __call__(self, message: Any, next: Next) -> Any:
            return await next(message)

    bus = CommandBus(HandlerRegistry([handle]), behaviours=[Counting])
    for _ in range(3):
        await bus.dispatch(CreateUser("a"))
        await bus.dispatch(DeleteUser(1))
    assert len(built) == 1


def test_a_non_callable_behaviour_fails_at_startup() -> None:
    with pytest.raises(RegistrationError, match="not a behaviour"):
        CommandBus(HandlerRegistry([handle]), behaviours=[42])
