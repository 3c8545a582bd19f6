from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from lexigram.cqrs import (
    HandlerNotFoundError,
    HandlerRegistry,
    Next,
    Query,
    QueryBus,
    StreamQuery,
    query_handler,
)


@dataclass(frozen=True)
class GetUser(Query[str]):
    user_id: int


@dataclass(frozen=True)
class CountTo(StreamQuery[int]):
    limit: int


async def test_execute_returns_the_handler_result() -> None:
    @query_handler(GetUser)
    async def get_user(query: GetUser) -> str:
        return f"user-{query.user_id}"

    bus = QueryBus(HandlerRegistry([get_user]))
    assert await bus.execute(GetUser(4)) == "user-4"


async def test_a_missing_query_handler_names_the_fix() -> None:
    bus = QueryBus(HandlerRegistry())
    with pytest.raises(HandlerNotFoundError, match=r"@query_handler\(GetUser\)"):
        await bus.execute(GetUser(1))


async def test_stream_yields_the_items_of_an_async_generator_handler() -> None:
    @query_handler(CountTo)
    async def count(query: CountTo) -> AsyncIterator[int]:
        for i in range(query.limit):
            yield i

    bus = QueryBus(HandlerRegistry([count]))
    assert [item async for item in bus.stream(CountTo(3))] == [0, 1, 2]


async def test_execute_of_a_stream_query_returns_an_async_iterator() -> None:
    @query_handler(CountTo)
    class Count:
        async def handle(self, query: CountTo) -> AsyncIterator[int]:
            for i in range(query.limit):
                yield i * 10

    bus = QueryBus(HandlerRegistry([Count]))
    iterator = await bus.execute(CountTo(2))
    assert [item async for item in iterator] == [0, 10]


async def test_closing_a_stream_early_closes_the_handler_generator() -> None:
    closed: list[bool] = []

    @query_handler(CountTo)
    async def count(query: CountTo) -> AsyncIterator[int]:
        try:
            for i in range(query.limit):
                yield i
        finally:
            closed.append(True)

    bus = QueryBus(HandlerRegistry([count]))
    stream = bus.stream(CountTo(100))
    async for item in stream:
        if item == 1:
            break
    await stream.aclose()
    assert closed == [True]


async def test_behaviours_run_when_a_stream_starts() -> None:
    seen: list[str] = []

    async def record(message: Any, next: Next) -> Any:
        seen.append(type(message).__name__)
        return await next(message)

    @query_handler(CountTo)
    async def count(query: CountTo) -> AsyncIterator[int]:
        yield 1

    bus = QueryBus(HandlerRegistry([count]), behaviours=[record])
    stream = bus.stream(CountTo(1))
    assert seen == []
    assert [item async for item in stream] == [1]
    assert seen == ["CountTo"]
