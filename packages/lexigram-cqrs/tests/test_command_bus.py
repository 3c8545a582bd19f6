from dataclasses import dataclass

import pytest

from lexigram.cqrs import (
    Command,
    CommandBus,
    HandlerNotFoundError,
    HandlerRegistry,
    Query,
    RegistrationError,
    command_handler,
)


@dataclass(frozen=True)
class CreateUser(Command[int]):
    name: str


@dataclass(frozen=True)
class DeleteUser(Command[None]):
    user_id: int


@dataclass(frozen=True)
class GetUser(Query[str]):
    user_id: int


class Outcome:
    """Stands for a Result value: the bus must hand it back untouched."""


async def test_dispatch_runs_a_function_handler_and_returns_its_result() -> None:
    @command_handler(CreateUser)
    async def create(command: CreateUser) -> int:
        return len(command.name)

    bus = CommandBus(HandlerRegistry([create]))
    assert await bus.dispatch(CreateUser("ann")) == 3


async def test_dispatch_builds_a_class_handler_per_command() -> None:
    built: list[object] = []

    @command_handler(CreateUser)
    class Create:
        def __init__(self) -> None:
            built.append(self)

        async def handle(self, command: CreateUser) -> int:
            return 7

    bus = CommandBus(HandlerRegistry([Create]))
    assert await bus.dispatch(CreateUser("a")) == 7
    assert await bus.dispatch(CreateUser("b")) == 7
    assert len(built) == 2
    assert built[0] is not built[1]


async def test_dispatch_uses_a_registered_instance() -> None:
    class Create:
        def __init__(self, offset: int) -> None:
            self.offset = offset

        async def handle(self, command: CreateUser) -> int:
            return self.offset

    bus = CommandBus(HandlerRegistry([Create(40)]))
    assert await bus.dispatch(CreateUser("a")) == 40


async def test_dispatch_accepts_a_sync_handler() -> None:
    @command_handler(CreateUser)
    def create(command: CreateUser) -> int:
        return 5

    bus = CommandBus(HandlerRegistry([create]))
    assert await bus.dispatch(CreateUser("a")) == 5


async def test_a_returned_result_object_comes_back_unchanged() -> None:
    outcome = Outcome()

    @command_handler(DeleteUser)
    async def delete(command: DeleteUser) -> Outcome:
        return outcome

    bus = CommandBus(HandlerRegistry([delete]))
    assert await bus.dispatch(DeleteUser(1)) is outcome  # type: ignore[func-returns-value]


async def test_handler_exceptions_propagate_unchanged() -> None:
    @command_handler(CreateUser)
    async def create(command: CreateUser) -> int:
        raise KeyError("taken")

    bus = CommandBus(HandlerRegistry([create]))
    with pytest.raises(KeyError, match="taken"):
        await bus.dispatch(CreateUser("a"))


async def test_a_missing_handler_names_the_type_and_the_fix() -> None:
    bus = CommandBus(HandlerRegistry())
    with pytest.raises(HandlerNotFoundError) as caught:
        await bus.dispatch(CreateUser("a"))
    assert caught.value.message_type is CreateUser
    assert "CreateUser" in str(caught.value)
    assert "@command_handler(CreateUser)" in str(caught.value)
    assert "registry.add(handler)" in str(caught.value)


async def test_a_query_sent_to_the_command_bus_points_to_the_query_bus() -> None:
    bus = CommandBus(HandlerRegistry())
    with pytest.raises(HandlerNotFoundError, match=r"GetUser is a query: .*QueryBus\.execute"):
        await bus.dispatch(GetUser(1))  # type: ignore[arg-type]


def test_a_class_handler_needing_arguments_fails_when_the_bus_is_built() -> None:
    @command_handler(CreateUser)
    class Create:
        def __init__(self, repository: object) -> None:
            self.repository = repository

        async def handle(self, command: CreateUser) -> int:
            return 1

    with pytest.raises(
        RegistrationError, match=r"needs constructor arguments.*lexigram-cqrs\[di\]"
    ):
        CommandBus(HandlerRegistry([Create]))


def test_a_function_handler_wanting_more_than_the_message_fails_at_startup() -> None:
    @command_handler(CreateUser)
    async def create(command: CreateUser, repository: object) -> int:
        return 1

    with pytest.raises(RegistrationError, match="exactly the message"):
        CommandBus(HandlerRegistry([create]))


def test_handles_reports_registered_types() -> None:
    @command_handler(CreateUser)
    async def create(command: CreateUser) -> int:
        return 1

    bus = CommandBus(HandlerRegistry([create]))
    assert bus.handles(CreateUser)
    assert not bus.handles(DeleteUser)
