"""Interceptors: around-advice with short-circuit, transformation, headers, error handling."""

import logging
from typing import Any

import pytest

from lexigram.web import (
    CallHandlerProtocol,
    Controller,
    ExecutionContext,
    ExecutionContextProtocol,
    Interceptor,
    LexigramApp,
    LoggingInterceptor,
    TimingInterceptor,
    get,
    use_interceptors,
)
from lexigram.web.testing import AsyncTestClient


class Wrap(Interceptor):
    def __init__(self, name: str) -> None:
        self.name = name

    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        result = await next_handler.handle()
        return [self.name, result]


class ShortCircuit(Interceptor):
    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        return {"cached": True}


class Rescue(Interceptor):
    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        try:
            return await next_handler.handle()
        except KeyError as exc:
            return {"rescued": str(exc)}


class Retry(Interceptor):
    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        try:
            return await next_handler.handle()
        except RuntimeError:
            return await next_handler.handle()


class Stamp(Interceptor):
    async def intercept(self, context: Any, next_handler: CallHandlerProtocol) -> Any:
        context.add_header("X-Stamp", "1")
        return await next_handler.handle()


class Inspect(Interceptor):
    def __init__(self, seen: dict[str, Any]) -> None:
        self.seen = seen

    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        self.seen.update(
            controller=context.controller_class,
            method=context.method_name,
            handler=context.handler,
            path=context.request.url.path,
            tags=context.route_metadata["tags"],
        )
        return await next_handler.handle()


async def test_interceptor_transforms_the_result() -> None:
    app = LexigramApp()

    @app.get("/x")
    @use_interceptors(Wrap("w"))
    async def x() -> int:
        return 1

    async with AsyncTestClient(app) as client:
        assert (await client.get("/x")).json() == ["w", 1]


async def test_interceptor_can_short_circuit_the_handler() -> None:
    app = LexigramApp()
    called: list[int] = []

    @app.get("/x")
    @use_interceptors(ShortCircuit())
    async def x() -> int:
        called.append(1)
        return 1

    async with AsyncTestClient(app) as client:
        assert (await client.get("/x")).json() == {"cached": True}
    assert called == []


async def test_interceptor_can_catch_handler_errors() -> None:
    app = LexigramApp()

    @app.get("/x")
    @use_interceptors(Rescue())
    async def x() -> int:
        raise KeyError("gone")

    async with AsyncTestClient(app) as client:
        assert (await client.get("/x")).json() == {"rescued": "'gone'"}


async def test_interceptor_sees_binding_errors() -> None:
    app = LexigramApp()
    seen: list[str] = []

    class Watch(Interceptor):
        async def intercept(self, context: Any, next_handler: CallHandlerProtocol) -> Any:
            try:
                return await next_handler.handle()
            except Exception as exc:
                seen.append(type(exc).__name__)
                raise

    @app.get("/x")
    @use_interceptors(Watch())
    async def x(n: int) -> int:
        return n

    async with AsyncTestClient(app) as client:
        response = await client.get("/x?n=bad")
    assert response.status_code == 422
    assert seen == ["RequestValidationError"]


async def test_next_handler_may_be_called_again() -> None:
    app = LexigramApp()
    attempts: list[int] = []

    @app.get("/x")
    @use_interceptors(Retry())
    async def x() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("flaky")
        return len(attempts)

    async with AsyncTestClient(app) as client:
        assert (await client.get("/x")).json() == 2


async def test_interceptor_headers_reach_success_and_error_responses() -> None:
    app = LexigramApp(interceptors=[Stamp()])

    @app.get("/ok")
    async def ok() -> int:
        return 1

    @app.get("/fail")
    async def fail() -> int:
        raise ValueError("boom")

    async with AsyncTestClient(app) as client:
        ok_response = await client.get("/ok")
        fail_response = await client.get("/fail")
    assert ok_response.headers["x-stamp"] == "1"
    assert fail_response.status_code == 500
    assert fail_response.headers["x-stamp"] == "1"


async def test_interceptors_nest_global_controller_handler() -> None:
    @use_interceptors(Wrap("controller"))
    class Things(Controller):
        @get("/t")
        @use_interceptors(Wrap("handler"))
        async def t(self) -> str:
            return "h"

    app = LexigramApp(controllers=[Things], interceptors=[Wrap("global")])
    async with AsyncTestClient(app) as client:
        response = await client.get("/t")
    assert response.json() == ["global", ["controller", ["handler", "h"]]]


async def test_execution_context_describes_the_route() -> None:
    seen: dict[str, Any] = {}

    class Things(Controller):
        @get("/t", tags=["things"])
        @use_interceptors(Inspect(seen))
        async def listing(self) -> None:
            return None

    app = LexigramApp(controllers=[Things])
    async with AsyncTestClient(app) as client:
        await client.get("/t")
    assert seen["controller"] is Things
    assert seen["method"] == "listing"
    assert seen["handler"] is Things.listing
    assert seen["path"] == "/t"
    assert seen["tags"] == ["things"]


async def test_timing_interceptor_adds_server_timing() -> None:
    app = LexigramApp(interceptors=[TimingInterceptor()])

    @app.get("/x")
    async def x() -> int:
        return 1

    async with AsyncTestClient(app) as client:
        response = await client.get("/x")
    assert response.headers["server-timing"].startswith("app;dur=")


async def test_logging_interceptor_logs_each_request(caplog: pytest.LogCaptureFixture) -> None:
    app = LexigramApp(interceptors=[LoggingInterceptor()])

    @app.get("/x")
    async def x() -> int:
        return 1

    with caplog.at_level(logging.INFO, logger="lexigram.web.requests"):
        async with AsyncTestClient(app) as client:
            await client.get("/x")
    assert any("GET /x" in record.getMessage() for record in caplog.records)


class Counter:
    def __init__(self) -> None:
        self.count = 0


class CountingInterceptor(Interceptor):
    def __init__(self, counter: Counter) -> None:
        self.counter = counter

    async def intercept(self, context: Any, next_handler: CallHandlerProtocol) -> Any:
        self.counter.count += 1
        return await next_handler.handle()


async def test_interceptor_class_is_built_by_the_container() -> None:
    counter = Counter()
    app = LexigramApp(interceptors=[CountingInterceptor])
    app.container.singleton(Counter, instance=counter)

    @app.get("/x")
    async def x(context: ExecutionContext) -> int:
        return 1

    async with AsyncTestClient(app) as client:
        await client.get("/x")
        await client.get("/x")
    assert counter.count == 2
