import asyncio
from dataclasses import dataclass

import pytest

from lexigram.cqrs import (
    Event,
    EventBus,
    HandlerRegistry,
    PublishError,
    PublishStrategy,
    event_handler,
)


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: int


@dataclass(frozen=True)
class AdminCreated(UserCreated):
    pass


async def test_publish_reaches_every_handler_in_order() -> None:
    calls: list[str] = []

    @event_handler(UserCreated)
    async def first(event: UserCreated) -> None:
        calls.append("first")

    @event_handler(UserCreated)
    class Second:
        async def handle(self, event: UserCreated) -> None:
            calls.append("second")

    bus = EventBus(HandlerRegistry([first, Second]))
    await bus.publish(UserCreated(1))
    assert calls == ["first", "second"]


async def test_publishing_an_event_without_handlers_is_a_no_op() -> None:
    bus = EventBus(HandlerRegistry())
    await bus.publish(UserCreated(1))
    assert bus.handler_names(UserCreated) == ()


async def test_handlers_of_a_base_event_receive_subclass_events() -> None:
    received: list[Event] = []

    @event_handler(Event)
    async def audit(event: Event) -> None:
        received.append(event)

    @event_handler(UserCreated)
    async def welcome(event: UserCreated) -> None:
        received.append(event)

    bus = EventBus(HandlerRegistry([audit, welcome]))
    event = AdminCreated(2)
    await bus.publish(event)
    assert received == [event, event]
    assert [name.rsplit(".", 1)[1] for name in bus.handler_names(AdminCreated)] == [
        "welcome",
        "audit",
    ]


async def test_a_failing_handler_does_not_stop_the_others_sequentially() -> None:
    calls: list[str] = []

    @event_handler(UserCreated)
    async def broken(event: UserCreated) -> None:
        raise ValueError("smtp down")

    @event_handler(UserCreated)
    async def healthy(event: UserCreated) -> None:
        calls.append("healthy")

    bus = EventBus(HandlerRegistry([broken, healthy]))
    with pytest.raises(PublishError) as caught:
        await bus.publish(UserCreated(1))
    assert calls == ["healthy"]
    assert caught.value.event_type is UserCreated
    assert [type(e) for e in caught.value.exceptions] == [ValueError]
    assert caught.value.handlers[0].endswith("broken")
    assert "1 of 2 handlers" in str(caught.value)


async def test_failures_are_reported_together() -> None:
    @event_handler(UserCreated)
    async def one(event: UserCreated) -> None:
        raise ValueError("one")

    @event_handler(UserCreated)
    async def two(event: UserCreated) -> None:
        raise KeyError("two")

    bus = EventBus(HandlerRegistry([one, two]))
    with pytest.raises(PublishError) as caught:
        await bus.publish(UserCreated(1))
    assert [type(e) for e in caught.value.exceptions] == [ValueError, KeyError]
    assert caught.value.exceptions[0].__notes__[0].startswith("raised by event handler")


async def test_concurrent_publish_runs_handlers_together_and_survives_a_failure() -> None:
    started: list[str] = []
    both_started = asyncio.Event()

    async def wait_for_the_other(name: str) -> None:
        started.append(name)
        if len(started) == 2:
            both_started.set()
        await asyncio.wait_for(both_started.wait(), timeout=1)

    @event_handler(UserCreated)
    async def slow_ok(event: UserCreated) -> None:
        await wait_for_the_other("ok")

    @event_handler(UserCreated)
    async def slow_broken(event: UserCreated) -> None:
        await wait_for_the_other("broken")
        raise RuntimeError("boom")

    bus = EventBus(HandlerRegistry([slow_ok, slow_broken]), strategy=PublishStrategy.CONCURRENT)
    with pytest.raises(PublishError) as caught:
        await bus.publish(UserCreated(1))
    assert sorted(started) == ["broken", "ok"]
    assert [type(e) for e in caught.value.exceptions] == [RuntimeError]
    assert caught.value.handlers[0].endswith("slow_broken")


async def test_publish_error_works_with_except_star() -> None:
    @event_handler(UserCreated)
    async def broken(event: UserCreated) -> None:
        raise ValueError("bad")

    bus = EventBus(HandlerRegistry([broken]))
    caught: list[BaseException] = []
    try:
        await bus.publish(UserCreated(1))
    except* ValueError as group:
        caught.extend(group.exceptions)
    assert [str(e) for e in caught] == ["bad"]


def test_publish_error_split_keeps_the_event_type_and_handler_names() -> None:
    error = PublishError(
        "2 failed", [ValueError("a"), KeyError("b")], event_type=UserCreated, handlers=["x", "y"]
    )
    matched, rest = error.split(KeyError)
    assert isinstance(matched, PublishError)
    assert isinstance(rest, PublishError)
    assert matched.handlers == ("y",)
    assert rest.handlers == ("x",)
    assert matched.event_type is UserCreated
