"""Controllers: prefixes, constructor injection, lifetime decided at startup, CQRS buses."""

from collections.abc import Iterator
from typing import Any

import pytest

from lexigram.web import (
    CommandBusProtocol,
    ConfigurationError,
    Controller,
    CQRSController,
    LexigramApp,
    QueryBusProtocol,
    get,
    injectable,
    post,
    singleton,
)
from lexigram.web.testing import AsyncTestClient, TestClient


class Clock:
    def now(self) -> str:
        return "noon"


class Session:
    created = 0

    def __init__(self) -> None:
        Session.created += 1
        self.number = Session.created


class Stateless(Controller):
    prefix = "/stateless"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    @get("/")
    async def me(self) -> int:
        return id(self)

    @get("/time")
    async def time(self) -> str:
        return self.clock.now()


class PerRequest(Controller):
    prefix = "/per-request"

    def __init__(self, session: Session) -> None:
        self.session = session

    @get("/")
    async def me(self) -> list[int]:
        return [id(self), self.session.number]


def make_app() -> LexigramApp:
    app = LexigramApp(controllers=[Stateless, PerRequest])
    app.singleton(Clock)
    app.scoped(Session)
    return app


async def test_prefix_and_constructor_injection() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/stateless/time")
    assert response.json() == "noon"


async def test_controller_without_scoped_dependencies_is_built_once() -> None:
    async with AsyncTestClient(make_app()) as client:
        first = (await client.get("/stateless")).json()
        second = (await client.get("/stateless")).json()
    assert first == second


async def test_controller_with_a_scoped_dependency_is_built_per_request() -> None:
    async with AsyncTestClient(make_app()) as client:
        first = (await client.get("/per-request")).json()
        second = (await client.get("/per-request")).json()
    assert first[1] != second[1]


async def test_controller_with_unresolvable_dependency_fails_at_startup() -> None:
    class Needs(Controller):
        def __init__(self, session: Session) -> None:
            self.session = session

        @get("/n")
        async def n(self) -> None:
            return None

    with pytest.raises(ConfigurationError, match=r"controller .*Needs.*Session"):
        await LexigramApp(controllers=[Needs]).startup()


def test_collect_routes_lists_the_declared_routes() -> None:
    routes = Stateless.collect_routes()
    assert [(r["method"], r["path"], r["handler_name"]) for r in routes] == [
        ("GET", "/", "me"),
        ("GET", "/time", "time"),
    ]


async def test_subclass_inherits_and_overrides_routes() -> None:
    class Base(Controller):
        @get("/a")
        async def a(self) -> str:
            return "base-a"

        @get("/b")
        async def b(self) -> str:
            return "base-b"

    class Child(Base):
        prefix = "/child"

        @get("/b")
        async def b(self) -> str:
            return "child-b"

    async with AsyncTestClient(LexigramApp(controllers=[Child])) as client:
        assert (await client.get("/child/a")).json() == "base-a"
        assert (await client.get("/child/b")).json() == "child-b"


class Bus:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def dispatch(self, command: Any) -> Any:
        self.seen.append(command)
        return {"dispatched": command}

    async def execute(self, query: Any) -> Any:
        return {"executed": query}


class Orders(CQRSController):
    prefix = "/orders"

    @post("/")
    async def create(self) -> Any:
        return await self.dispatch_command("create")

    @get("/")
    async def listing(self) -> Any:
        return await self.dispatch_query("list")


async def test_cqrs_controller_gets_buses_from_the_container() -> None:
    bus = Bus()
    app = LexigramApp(controllers=[Orders])
    app.container.singleton(CommandBusProtocol, instance=bus)
    app.container.singleton(QueryBusProtocol, instance=bus)
    async with AsyncTestClient(app) as client:
        created = await client.post("/orders")
        listed = await client.get("/orders")
    assert created.json() == {"dispatched": "create"}
    assert listed.json() == {"executed": "list"}


async def test_cqrs_controller_without_buses_names_the_missing_bus() -> None:
    controller = CQRSController()
    with pytest.raises(RuntimeError, match="no command bus"):
        await controller.dispatch_command("x")
    with pytest.raises(RuntimeError, match="no query bus"):
        await controller.dispatch_query("x")


class OwnCommandBus:
    async def dispatch(self, command: Any) -> Any:
        return {"own-dispatched": command}


class OwnQueryBus:
    async def execute(self, query: Any) -> Any:
        return {"own-executed": query}


async def test_buses_registered_under_their_own_classes_are_found_structurally() -> None:
    app = LexigramApp(controllers=[Orders])
    app.singleton(OwnCommandBus)
    app.singleton(OwnQueryBus)
    async with AsyncTestClient(app) as client:
        created = await client.post("/orders")
        listed = await client.get("/orders")
    assert created.json() == {"own-dispatched": "create"}
    assert listed.json() == {"own-executed": "list"}
    assert not app.container.has(CommandBusProtocol)


class Tracked:
    closed: list[str] = []  # noqa: RUF012

    def close(self) -> None:
        Tracked.closed.append("closed")


def tracked_factory() -> Iterator[Tracked]:
    item = Tracked()
    yield item
    item.close()


async def test_request_scope_is_closed_even_when_sending_fails() -> None:
    Tracked.closed.clear()
    app = LexigramApp()
    app.container.scoped(Tracked, factory=tracked_factory)

    @app.get("/t")
    async def t(item: Tracked) -> int:
        return 1

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def broken_send(message: Any) -> None:
        raise OSError("connection reset")

    scope = {"type": "http", "method": "GET", "path": "/t", "query_string": b"", "headers": []}
    async with app.lifespan():
        with pytest.raises(OSError, match="connection reset"):
            await app(scope, receive, broken_send)
    assert Tracked.closed == ["closed"]


def test_marked_constructor_dependencies_of_a_controller_are_registered() -> None:
    @singleton
    class Clock:
        def now(self) -> str:
            return "noon"

    @injectable
    class Greeter:
        def __init__(self, clock: Clock) -> None:
            self.clock = clock

    class TimeController(Controller):
        prefix = "/time"

        def __init__(self, greeter: Greeter) -> None:
            self.greeter = greeter

        @get("/")
        async def now(self) -> str:
            return self.greeter.clock.now()

    with TestClient(LexigramApp(controllers=[TimeController])) as client:
        assert client.get("/time/").json() == "noon"
