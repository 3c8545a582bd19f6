from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from lexigram.cqrs import (
    Command,
    CommandBus,
    DuplicateHandlerError,
    Event,
    EventBus,
    HandlerRegistry,
    Next,
    PublishStrategy,
    Query,
    QueryBus,
    command_handler,
    event_handler,
    query_handler,
)
from lexigram.cqrs.di import CQRSModule, CQRSOptions, CQRSProvider
from lexigram.di import Application, Container, MissingDependencyError, Provider, Scope

pytestmark = pytest.mark.extra("di")


@dataclass(frozen=True)
class CreateUser(Command[int]):
    name: str


@dataclass(frozen=True)
class GetUser(Query[str]):
    user_id: int


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


async def test_cqrs_module_binds_the_buses_in_the_container() -> None:
    @query_handler(GetUser)
    async def get_user(query: GetUser) -> str:
        return "ann"

    received: list[int] = []

    @event_handler(UserCreated)
    async def on_created(event: UserCreated) -> None:
        received.append(event.user_id)

    module = CQRSModule.configure(handlers=[CreateUserHandler, get_user, on_created])
    async with Application.boot(modules=[module], providers=[SessionProvider()]) as app:
        container = app.container
        assert await container.resolve(CommandBus).dispatch(CreateUser("ann")) >= 1
        assert await container.resolve(QueryBus).execute(GetUser(1)) == "ann"
        await container.resolve(EventBus).publish(UserCreated(5))
        assert container.resolve(HandlerRegistry) is module.provider.registry
    assert received == [5]


async def test_cqrs_module_behaviours_wrap_every_bus_in_order() -> None:
    log: list[str] = []

    async def outer(message: Any, next: Next) -> Any:
        log.append(f"outer {type(message).__name__}")
        return await next(message)

    async def commands_only(message: Any, next: Next) -> Any:
        log.append(f"command {type(message).__name__}")
        return await next(message)

    @query_handler(GetUser)
    async def get_user(query: GetUser) -> str:
        return "ann"

    module = CQRSModule.configure(
        handlers=[CreateUserHandler, get_user],
        behaviours=[outer],
        command_behaviours=[commands_only],
    )
    async with Application.boot(modules=[module], providers=[SessionProvider()]) as app:
        await app.container.resolve(CommandBus).dispatch(CreateUser("ann"))
        await app.container.resolve(QueryBus).execute(GetUser(1))
    assert log == ["outer CreateUser", "command CreateUser", "outer GetUser"]


class CountingContainer(Container):
    """A container that counts the scopes it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.scopes = 0

    def scope(self, context: Mapping[Any, Any] | None = None) -> Scope:
        self.scopes += 1
        return super().scope(context)


@dataclass(frozen=True)
class Rename(Command[str]):
    name: str


renamers: list[object] = []


@command_handler(Rename)
class RenameHandler:
    """No dependencies: built per message, with no scope."""

    def __init__(self) -> None:
        renamers.append(self)

    async def handle(self, command: Rename) -> str:
        return command.name.upper()


async def test_the_module_opens_a_scope_only_for_a_handler_with_a_scoped_dependency() -> None:
    async def passthrough(message: Any, next: Next) -> Any:
        return await next(message)

    renamers.clear()
    plain = CQRSModule.configure(handlers=[RenameHandler, CreateUserHandler])
    wrapped = CQRSModule.configure(
        handlers=[RenameHandler, CreateUserHandler], behaviours=[passthrough]
    )
    for module in (plain, wrapped):
        container = CountingContainer()
        async with Application.boot(
            modules=[module], providers=[SessionProvider()], container=container
        ) as app:
            bus = app.container.resolve(CommandBus)
            opened_at_boot = container.scopes
            for _ in range(5):
                assert await bus.dispatch(Rename("ann")) == "ANN"
            assert container.scopes == opened_at_boot
            first = await bus.dispatch(CreateUser("bo"))
            second = await bus.dispatch(CreateUser("cy"))
            assert container.scopes == opened_at_boot + 2
            assert app.container.resolve(Journal).entries[-3:] == [
                f"open {second}",
                f"create cy in {second}",
                f"close {second}",
            ]
            assert f"close {first}" in app.container.resolve(Journal).entries
    assert len(renamers) == 10  # one handler per message, never shared
    assert len({id(handler) for handler in renamers}) == 10


async def test_a_missing_handler_dependency_fails_when_the_application_starts() -> None:
    module = CQRSModule.configure(handlers=[CreateUserHandler])
    app = Application(modules=[module])
    with pytest.raises(MissingDependencyError):
        await app.start()


def test_duplicate_handlers_fail_when_the_module_is_configured() -> None:
    @command_handler(CreateUser)
    async def other(command: CreateUser) -> int:
        return 0

    with pytest.raises(DuplicateHandlerError, match="CreateUserHandler"):
        CQRSModule.configure(handlers=[CreateUserHandler, other])


def test_the_provider_registers_handler_classes_it_was_given() -> None:
    container = base_container()
    CQRSProvider(handlers=[CreateUserHandler]).register(container)
    assert container.has(CreateUserHandler)
    assert container.has(CommandBus)
    assert container.has(EventBus)


def test_an_unknown_option_is_refused_naming_the_options() -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) handler; the options are"):
        CQRSModule.configure(handler=[CreateUserHandler])  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"unknown option\(s\) strategies"):
        CQRSProvider(strategies="parallel")  # type: ignore[call-arg]


def test_the_module_and_the_provider_take_the_same_options() -> None:
    registry = HandlerRegistry()
    options: CQRSOptions = {
        "handlers": [CreateUserHandler],
        "behaviours": [],
        "query_behaviours": [],
        "strategy": PublishStrategy.CONCURRENT,
        "registry": registry,
    }
    module = CQRSModule.configure(imports=[], **options)
    assert module.provider.registry is registry
    assert module.provider.strategy is PublishStrategy.CONCURRENT
    assert registry.handlers == (CreateUserHandler,)


class SessionProvider(Provider):
    """Registers the Journal and the scoped Session (a plain lexigram-di Provider)."""

    def register(self, container: Container) -> None:
        container.singleton(Journal)
        container.scoped(Session, factory=open_session)
