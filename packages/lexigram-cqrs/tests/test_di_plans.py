"""When a message needs a DI scope, and following the container when its registrations change."""

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
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
    PublishError,
    PublishStrategy,
    Query,
    QueryBus,
    StreamQuery,
    command_handler,
    event_handler,
    query_handler,
)
from lexigram.cqrs.di import ContainerActivator
from lexigram.di import Container, FinalizerError, Lifetime, Scope

pytestmark = pytest.mark.extra("di")


class CountingContainer(Container):
    """A container that counts the scopes it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.scopes = 0

    def scope(self, context: Mapping[Any, Any] | None = None) -> Scope:
        self.scopes += 1
        return super().scope(context)


@dataclass(frozen=True)
class Stamp(Command[tuple[int, str]]):
    text: str


@dataclass(frozen=True)
class Total(Query[int]):
    base: int


@dataclass(frozen=True)
class Count(StreamQuery[int]):
    limit: int


@dataclass(frozen=True)
class Happened(Event):
    what: str


class Clock:
    """Transient unless a test overrides it."""

    def now(self) -> str:
        return "real"


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.built: list[object] = []


@command_handler(Stamp)
class StampHandler:
    def __init__(self, clock: Clock, log: Log) -> None:
        self.clock = clock
        self.log = log

    async def handle(self, command: Stamp) -> tuple[int, str]:
        self.log.lines.append(command.text)
        self.log.built.append(self)
        return len(self.log.built), self.clock.now()


def stamp_bus(*behaviours: object) -> tuple[CountingContainer, CommandBus]:
    container = CountingContainer()
    container.transient(Clock).singleton(Log).transient(StampHandler)
    bus = CommandBus(
        HandlerRegistry([StampHandler]),
        behaviours=behaviours,
        activator=ContainerActivator(container),
    )
    return container, bus


async def test_a_handler_without_scoped_dependencies_is_built_per_message_without_a_scope() -> None:
    container, bus = stamp_bus()
    await bus.dispatch(Stamp("a"))
    _, clock = await bus.dispatch(Stamp("b"))
    log = container.resolve(Log)
    assert clock == "real"
    assert log.lines == ["a", "b"]
    assert log.built[0] is not log.built[1]
    assert container.scopes == 0


async def test_a_handler_with_a_scoped_dependency_opens_one_scope_per_message() -> None:
    container, bus = stamp_bus()
    log = container.resolve(Log)

    def scoped_clock() -> Iterator[Clock]:
        log.lines.append("open")
        yield Clock()
        log.lines.append("close")

    with container.override(Clock, factory=scoped_clock, lifetime=Lifetime.SCOPED):
        await bus.dispatch(Stamp("a"))
        await bus.dispatch(Stamp("b"))
        assert log.lines == ["open", "a", "close", "open", "b", "close"]
        assert container.scopes == 2
    await bus.dispatch(Stamp("c"))  # the override ended: no scope again
    assert container.scopes == 2
    assert log.lines[-1] == "c"


async def test_an_override_with_an_async_factory_is_planned_on_the_next_message() -> None:
    container, bus = stamp_bus()
    await bus.dispatch(Stamp("a"))

    class Frozen(Clock):
        def now(self) -> str:
            return "frozen"

    async def frozen() -> Clock:
        return Frozen()

    with container.override(Clock, factory=frozen):
        _, clock = await bus.dispatch(Stamp("b"))
    assert clock == "frozen"
    assert (await bus.dispatch(Stamp("c")))[1] == "real"
    assert container.scopes == 0


async def test_behaviour_classes_without_a_scope_are_resolved_per_message() -> None:
    seen: list[tuple[str, object]] = []

    class Each:
        async def __call__(self, message: Any, next: Next) -> Any:
            seen.append(("each", self))
            return await next(message)

    class Once:
        async def __call__(self, message: Any, next: Next) -> Any:
            seen.append(("once", self))
            return await next(message)

    container = CountingContainer()
    container.transient(Clock).singleton(Log).transient(StampHandler)
    container.transient(Each).singleton(Once)
    bus = CommandBus(
        HandlerRegistry([StampHandler]),
        behaviours=[Once, Each],
        activator=ContainerActivator(container),
    )
    await bus.dispatch(Stamp("a"))
    await bus.dispatch(Stamp("b"))
    assert [kind for kind, _ in seen] == ["once", "each", "once", "each"]
    assert seen[0][1] is seen[2][1]
    assert seen[1][1] is not seen[3][1]
    assert container.scopes == 0


async def test_a_sync_handle_method_and_a_stream_handler_run_without_a_scope() -> None:
    @query_handler(Total)
    class TotalHandler:
        def __init__(self, log: Log) -> None:
            self.log = log

        def handle(self, query: Total) -> int:
            return query.base + len(self.log.lines)

    @query_handler(Count)
    class CountHandler:
        async def handle(self, query: Count) -> AsyncIterator[int]:
            for i in range(query.limit):
                yield i

    container = CountingContainer()
    container.singleton(Log).transient(TotalHandler).transient(CountHandler)
    bus = QueryBus(
        HandlerRegistry([TotalHandler, CountHandler]), activator=ContainerActivator(container)
    )
    assert await bus.execute(Total(40)) == 40
    assert [i async for i in bus.stream(Count(3))] == [0, 1, 2]
    assert container.scopes == 0


async def test_a_handler_built_by_an_async_factory_runs_without_a_scope() -> None:
    async def clock() -> Clock:
        return Clock()

    container = CountingContainer()
    container.singleton(Clock, factory=clock).singleton(Log).transient(StampHandler)
    bus = CommandBus(HandlerRegistry([StampHandler]), activator=ContainerActivator(container))
    assert (await bus.dispatch(Stamp("a")))[1] == "real"
    assert container.scopes == 0


async def test_function_handlers_open_a_scope_only_when_an_injected_parameter_needs_one() -> None:
    @query_handler(Total)
    async def total(query: Total, log: Log) -> int:
        return query.base + len(log.lines)

    @command_handler(Stamp)
    async def stamp(command: Stamp, scope: Scope) -> tuple[int, str]:
        return len(command.text), scope.resolve(Clock).now()

    container = CountingContainer()
    container.singleton(Log).transient(Clock)
    activator = ContainerActivator(container)
    assert await QueryBus(HandlerRegistry([total]), activator=activator).execute(Total(2)) == 2
    assert container.scopes == 0
    bus = CommandBus(HandlerRegistry([stamp]), activator=activator)
    assert (await bus.dispatch(Stamp("a")))[1] == "real"
    assert container.scopes == 1


async def test_concurrent_publish_reports_a_handler_that_fails_to_build_and_runs_the_others() -> (
    None
):
    @event_handler(Happened)
    class Broken:
        def __init__(self, log: Log) -> None:
            raise RuntimeError("cannot build")

        async def handle(self, event: Happened) -> None:
            raise AssertionError("never reached")

    @event_handler(Happened)
    class Works:
        def __init__(self, log: Log) -> None:
            self.log = log

        async def handle(self, event: Happened) -> None:
            self.log.lines.append(event.what)

    container = CountingContainer()
    container.singleton(Log).transient(Broken).transient(Works)
    bus = EventBus(
        HandlerRegistry([Broken, Works]),
        activator=ContainerActivator(container),
        strategy=PublishStrategy.CONCURRENT,
    )
    with pytest.raises(PublishError) as info:
        await bus.publish(Happened("x"))
    assert [str(e) for e in info.value.exceptions] == ["cannot build"]
    assert container.resolve(Log).lines == ["x"]
    assert container.scopes == 0


async def test_async_built_handler_and_behaviour_classes_run_with_and_without_a_scope() -> None:
    seen: list[str] = []

    class Timed:
        def __init__(self, clock: Clock) -> None:
            self.clock = clock

        async def __call__(self, message: Any, next: Next) -> Any:
            seen.append(f"timed by {self.clock.now()}")
            return await next(message)

    async def clock() -> Clock:
        return Clock()

    container = CountingContainer()
    container.singleton(Clock, factory=clock).singleton(Log).transient(StampHandler)
    container.transient(Timed)
    bus = CommandBus(
        HandlerRegistry([StampHandler]),
        behaviours=[Timed],
        activator=ContainerActivator(container),
    )
    assert (await bus.dispatch(Stamp("a")))[1] == "real"
    assert container.scopes == 0
    log = Log()

    def scoped_log() -> Iterator[Log]:
        log.lines.append("open")
        yield log
        log.lines.append("close")

    with container.override(Log, factory=scoped_log, lifetime=Lifetime.SCOPED):
        assert (await bus.dispatch(Stamp("b")))[1] == "real"
    assert log.lines == ["open", "b", "close"]
    assert container.scopes == 1
    assert seen == ["timed by real", "timed by real"]


@dataclass(frozen=True)
class Attempt(Command[str]):
    error: BaseException | None


@command_handler(Attempt)
class AttemptHandler:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def handle(self, command: Attempt) -> str:
        if command.error is not None:
            raise command.error
        return self.clock.now()


async def test_a_scope_is_closed_after_an_error_and_its_finalizer_failure_is_a_note() -> None:
    async def passthrough(message: Any, next: Next) -> Any:
        return await next(message)

    closed: list[str] = []

    def scoped_clock() -> Iterator[Clock]:
        yield Clock()
        closed.append("closed")
        raise OSError("finalizer broke")

    for behaviours in ((), (passthrough,)):
        closed.clear()
        container = CountingContainer()
        container.scoped(Clock, factory=scoped_clock).transient(AttemptHandler)
        bus = CommandBus(
            HandlerRegistry([AttemptHandler]),
            behaviours=behaviours,
            activator=ContainerActivator(container),
        )
        with pytest.raises(ValueError, match="handler broke") as info:
            await bus.dispatch(Attempt(ValueError("handler broke")))
        assert any("finalizer broke" in note for note in info.value.__notes__)
        with pytest.raises(asyncio.CancelledError):
            await bus.dispatch(Attempt(asyncio.CancelledError()))
        with pytest.raises(FinalizerError, match="finalizer broke"):
            await bus.dispatch(Attempt(None))
        assert closed == ["closed", "closed", "closed"]
        assert container.scopes == 3
