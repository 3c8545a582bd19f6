from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lexigram.cqrs import (
    Command,
    CommandBus,
    Event,
    EventBus,
    HandlerRegistry,
    Next,
    PublishStrategy,
    Query,
    QueryBus,
    RegistrationError,
    StreamQuery,
    UnitOfWork,
    command_handler,
    event_handler,
    query_handler,
)
from lexigram.cqrs.di import (
    ContainerActivator,
    ScopedUnitOfWorkBehaviour,
)
from lexigram.di import Container, scoped

pytestmark = pytest.mark.extra("di")


@dataclass(frozen=True)
class CreateUser(Command[int]):
    name: str


@dataclass(frozen=True)
class GetUser(Query[str]):
    user_id: int


@dataclass(frozen=True)
class ListNames(StreamQuery[str]):
    limit: int


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: int


class Journal:
    """A singleton the tests read: what opened and closed."""

    def __init__(self) -> None:
        self.entries: list[str] = []


class Session:
    """A scoped service with a finalizer."""

    count = 0

    def __init__(self, journal: Journal) -> None:
        Session.count += 1
        self.number = Session.count
        self.journal = journal
        self.closed = False


def open_session(journal: Journal) -> Iterator[Session]:
    session = Session(journal)
    journal.entries.append(f"open {session.number}")
    yield session
    session.closed = True
    journal.entries.append(f"close {session.number}")


def base_container() -> Container:
    container = Container()
    container.singleton(Journal)
    container.scoped(Session, factory=open_session)
    return container


@command_handler(CreateUser)
class CreateUserHandler:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def handle(self, command: CreateUser) -> int:
        self.session.journal.entries.append(f"create {command.name} in {self.session.number}")
        return self.session.number


def command_bus(container: Container, *behaviours: object) -> CommandBus:
    container.transient(CreateUserHandler)
    return CommandBus(
        HandlerRegistry([CreateUserHandler]),
        behaviours=behaviours,
        activator=ContainerActivator(container),
    )


async def test_a_handler_class_gets_its_dependencies_from_the_container() -> None:
    container = base_container()
    bus = command_bus(container)
    assert await bus.dispatch(CreateUser("ann")) >= 1


async def test_scoped_dependencies_are_new_per_dispatch_and_finalized_after_it() -> None:
    container = base_container()
    bus = command_bus(container)
    first = await bus.dispatch(CreateUser("ann"))
    second = await bus.dispatch(CreateUser("bo"))
    assert first != second
    journal = container.resolve(Journal)
    assert journal.entries == [
        f"open {first}",
        f"create ann in {first}",
        f"close {first}",
        f"open {second}",
        f"create bo in {second}",
        f"close {second}",
    ]


async def test_a_scoped_dependency_is_finalized_when_the_handler_raises() -> None:
    container = base_container()

    @command_handler(CreateUser)
    class Failing:
        def __init__(self, session: Session) -> None:
            self.session = session

        async def handle(self, command: CreateUser) -> int:
            raise ValueError("nope")

    container.transient(Failing)
    bus = CommandBus(HandlerRegistry([Failing]), activator=ContainerActivator(container))
    with pytest.raises(ValueError, match="nope"):
        await bus.dispatch(CreateUser("ann"))
    assert container.resolve(Journal).entries[-1].startswith("close ")


async def test_behaviour_classes_are_built_in_the_dispatch_scope() -> None:
    seen: list[int] = []

    class SessionAware:
        def __init__(self, session: Session) -> None:
            self.session = session

        async def __call__(self, message: Any, next: Next) -> Any:
            result = await next(message)
            seen.append(self.session.number)
            return result

    container = base_container()
    container.transient(SessionAware)
    bus = command_bus(container, SessionAware)
    number = await bus.dispatch(CreateUser("ann"))
    assert seen == [number]


async def test_scoped_unit_of_work_is_shared_with_the_handler() -> None:
    @scoped
    class RecordingUnit:
        def __init__(self, journal: Journal) -> None:
            self.journal = journal

        async def commit(self) -> None:
            self.journal.entries.append(f"commit {id(self)}")

        async def rollback(self) -> None:
            self.journal.entries.append(f"rollback {id(self)}")

    @command_handler(CreateUser)
    class UsesUnit:
        def __init__(self, unit: UnitOfWork) -> None:
            self.unit = unit

        async def handle(self, command: CreateUser) -> int:
            return id(self.unit)

    container = base_container()
    container.scoped(UnitOfWork, RecordingUnit)
    container.transient(UsesUnit)
    container.transient(ScopedUnitOfWorkBehaviour)
    bus = CommandBus(
        HandlerRegistry([UsesUnit]),
        behaviours=[ScopedUnitOfWorkBehaviour],
        activator=ContainerActivator(container),
    )
    unit_id = await bus.dispatch(CreateUser("ann"))
    assert container.resolve(Journal).entries == [f"commit {unit_id}"]


async def test_function_handlers_get_parameters_after_the_message_injected() -> None:
    @query_handler(GetUser)
    async def get_user(query: GetUser, session: Session) -> str:
        return f"{query.user_id} via {session.number}"

    container = base_container()
    bus = QueryBus(HandlerRegistry([get_user]), activator=ContainerActivator(container))
    answer = await bus.execute(GetUser(4))
    assert answer.startswith("4 via ")
    assert container.resolve(Journal).entries[-1].startswith("close ")


def test_a_function_handler_with_an_unregistered_parameter_fails_at_startup() -> None:
    class Unknown:
        pass

    @query_handler(GetUser)
    async def get_user(query: GetUser, thing: Unknown) -> str:
        return "x"

    with pytest.raises(RegistrationError, match=r"thing: .*Unknown.*not registered"):
        QueryBus(HandlerRegistry([get_user]), activator=ContainerActivator(Container()))


def test_an_unregistered_handler_class_fails_when_the_bus_is_built() -> None:
    with pytest.raises(RegistrationError, match="not registered in the container"):
        CommandBus(HandlerRegistry([CreateUserHandler]), activator=ContainerActivator(Container()))


async def test_a_stream_keeps_its_scope_open_until_iteration_ends() -> None:
    @query_handler(ListNames)
    class ListNamesHandler:
        def __init__(self, session: Session) -> None:
            self.session = session

        async def handle(self, query: ListNames) -> AsyncIterator[str]:
            for i in range(query.limit):
                assert not self.session.closed
                yield f"name-{i}"

    container = base_container()
    container.transient(ListNamesHandler)
    bus = QueryBus(HandlerRegistry([ListNamesHandler]), activator=ContainerActivator(container))
    journal = container.resolve(Journal)
    names = [name async for name in bus.stream(ListNames(2))]
    assert names == ["name-0", "name-1"]
    assert journal.entries[0].startswith("open ")
    assert journal.entries[-1].startswith("close ")


async def test_container_overrides_reach_handlers() -> None:
    container = base_container()
    bus = command_bus(container)
    fake = Session(Journal())
    fake.number = 999
    with container.override(Session, fake):
        assert await bus.dispatch(CreateUser("ann")) == 999


async def test_event_handlers_each_get_their_own_scope_concurrently() -> None:
    numbers: list[int] = []

    @event_handler(UserCreated)
    class First:
        def __init__(self, session: Session) -> None:
            self.session = session

        async def handle(self, event: UserCreated) -> None:
            numbers.append(self.session.number)

    @event_handler(UserCreated)
    class Second(First):
        pass

    container = base_container()
    container.transient(First)
    container.transient(Second)
    bus = EventBus(
        HandlerRegistry([First, Second]),
        activator=ContainerActivator(container),
        strategy=PublishStrategy.CONCURRENT,
    )
    await bus.publish(UserCreated(1))
    assert len(set(numbers)) == 2
