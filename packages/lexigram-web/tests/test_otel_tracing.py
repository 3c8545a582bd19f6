"""Tracing with the real OpenTelemetry SDK and its in-memory span exporter."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.websockets import WebSocketDisconnect

from lexigram.http_errors import NotFoundError
from lexigram.web import (
    BackgroundTasks,
    ConfigurationError,
    Controller,
    LexigramApp,
    ObservabilityConfig,
    Request,
    RequestContextFilter,
    TracingConfig,
    WebSocket,
    current_trace_id,
    get,
    guard,
)
from lexigram.web.otel import TracingBehaviour
from lexigram.web.testing import AsyncTestClient, TestClient

pytestmark = pytest.mark.extra("otel")

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


class AllowAll:
    def can_activate(self, context: Any) -> bool:
        return True


class Orders(Controller):
    prefix = "/orders"

    @get("/{id:int}")
    @guard(AllowAll)
    async def show(self, id: int, verbose: bool = False) -> dict[str, int]:
        if id == 0:
            raise NotFoundError("no order 0")
        return {"id": id}

    @get("/boom")
    async def boom(self) -> dict[str, str]:
        raise RuntimeError("secret internal detail")


def _app(provider: TracerProvider, **tracing: Any) -> LexigramApp:
    config = ObservabilityConfig(
        tracing=TracingConfig(enabled=True, tracer_provider=provider, **tracing)
    )
    return LexigramApp(controllers=[Orders], observability=config)


def _server(exporter: InMemorySpanExporter) -> ReadableSpan:
    servers = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert len(servers) == 1, servers
    return servers[0]


async def test_a_server_span_is_named_by_the_route_template_with_http_attributes(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider)) as client:
        response = await client.get("/orders/42", headers={"host": "shop.example:8443"})
    assert response.status_code == 200
    span = _server(exporter)
    assert span.name == "GET /orders/{id}"
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "url.scheme": "http",
        "url.path": "/orders/42",
        "server.address": "shop.example",
        "server.port": 8443,
        "client.address": "127.0.0.1",
        "http.route": "/orders/{id}",
        "http.response.status_code": 200,
    }
    assert span.status.status_code is StatusCode.UNSET


async def test_an_unknown_path_gets_a_fixed_span_name_and_no_route(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider)) as client:
        for path in ("/nope/1", "/nope/2", "/also/unknown"):
            assert (await client.get(path)).status_code == 404
    spans = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert [s.name for s in spans] == ["GET", "GET", "GET"]
    assert all("http.route" not in (s.attributes or {}) for s in spans)


async def test_an_incoming_traceparent_makes_the_span_a_child_and_the_response_names_it(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    async with AsyncTestClient(_app(provider)) as client:
        response = await client.get("/orders/1", headers={"traceparent": traceparent})
    span = _server(exporter)
    assert f"{span.context.trace_id:032x}" == CALLER_TRACE
    assert span.parent is not None and f"{span.parent.span_id:016x}" == CALLER_SPAN
    assert span.parent.is_remote
    assert response.headers["traceparent"] == (f"00-{CALLER_TRACE}-{span.context.span_id:016x}-01")


async def test_the_trace_can_be_announced_in_server_timing_instead(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider, response_header="server-timing")) as client:
        response = await client.get("/orders/1")
    span = _server(exporter)
    context = span.context
    expected = f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"
    assert "traceparent" not in response.headers
    assert response.headers["server-timing"] == f'traceparent;desc="{expected}"'


async def test_a_5xx_sets_error_status_and_records_the_exception_without_leaking_it(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider)) as client:
        response = await client.get("/orders/boom")
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert "RuntimeError" not in response.text
    span = _server(exporter)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "RuntimeError"
    events = [e for e in span.events if e.name == "exception"]
    assert len(events) == 1
    assert (events[0].attributes or {})["exception.message"] == "secret internal detail"


async def test_a_4xx_leaves_the_span_status_unset(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider)) as client:
        assert (await client.get("/orders/0")).status_code == 404
    span = _server(exporter)
    assert span.status.status_code is StatusCode.UNSET
    assert (span.attributes or {})["http.response.status_code"] == 404
    assert not span.events


async def test_every_problem_body_carries_the_trace_id(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider)) as client:
        bodies = [
            (await client.get("/orders/0")).json(),  # raised by the handler
            (await client.get("/orders/1?verbose=x")).json(),  # a query parameter not a bool
            (await client.get("/nowhere")).json(),  # no route
            (await client.get("/orders/boom")).json(),  # unexpected exception
        ]
    trace_ids = {f"{s.context.trace_id:032x}" for s in exporter.get_finished_spans()
                 if s.kind is SpanKind.SERVER}  # fmt: skip
    assert len(trace_ids) == 4
    assert {body["trace_id"] for body in bodies} == trace_ids


async def test_by_default_a_request_gets_its_server_span_alone(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider)) as client:
        await client.get("/orders/7")
    assert [s.name for s in exporter.get_finished_spans()] == ["GET /orders/{id}"]


async def test_with_pipeline_spans_guards_and_the_handler_get_child_spans(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider, pipeline_spans=True)) as client:
        await client.get("/orders/7")
    spans = {s.name: s for s in exporter.get_finished_spans()}
    server = spans["GET /orders/{id}"]
    guards = spans["guards"]
    handler = spans["handler Orders.show"]
    for child in (guards, handler):
        assert child.parent is not None and child.parent.span_id == server.context.span_id
        assert child.kind is SpanKind.INTERNAL


async def test_the_handler_span_records_an_unexpected_exception(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    async with AsyncTestClient(_app(provider, pipeline_spans=True)) as client:
        await client.get("/orders/boom")
    handler = next(s for s in exporter.get_finished_spans() if s.name == "handler Orders.boom")
    assert handler.status.status_code is StatusCode.ERROR
    assert [e.name for e in handler.events] == ["exception"]


@pytest.mark.parametrize(
    ("pipeline_spans", "parent"), [(False, "GET /place"), (True, "handler place")]
)
async def test_cqrs_dispatch_inside_a_request_is_a_child_span_of_the_request(
    provider: TracerProvider, exporter: InMemorySpanExporter, pipeline_spans: bool, parent: str
) -> None:
    class PlaceOrder:
        pass

    behaviour = TracingBehaviour()

    async def handle(message: Any) -> str:
        return "placed"

    tracing = {"enabled": True, "tracer_provider": provider, "pipeline_spans": pipeline_spans}
    app = LexigramApp(observability={"tracing": tracing})

    @app.get("/place")
    async def place() -> dict[str, str]:
        return {"result": await behaviour(PlaceOrder(), handle)}

    async with AsyncTestClient(app) as client:
        assert (await client.get("/place")).json() == {"result": "placed"}
    assert await behaviour(PlaceOrder(), handle) == "placed"  # outside a request: no span
    spans = {s.name: s for s in exporter.get_finished_spans()}
    cqrs = spans["cqrs PlaceOrder"]
    assert cqrs.parent is not None
    assert cqrs.parent.span_id == spans[parent].context.span_id
    assert [s.name for s in exporter.get_finished_spans()].count("cqrs PlaceOrder") == 1


async def test_background_tasks_run_in_the_request_trace(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracer = provider.get_tracer("test")
    seen: list[str | None] = []

    async def later() -> None:
        seen.append(current_trace_id())
        with tracer.start_as_current_span("background work"):
            pass

    app = _app(provider)

    @app.get("/defer")
    async def defer(tasks: BackgroundTasks) -> dict[str, bool]:
        tasks.add(later)
        return {"queued": True}

    async with AsyncTestClient(app) as client:
        await client.get("/defer")
    server = _server(exporter)
    work = next(s for s in exporter.get_finished_spans() if s.name == "background work")
    assert work.context.trace_id == server.context.trace_id
    assert seen == [f"{server.context.trace_id:032x}"]


async def test_the_trace_id_is_in_request_state_and_the_log_filter(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("lexigram.test.filter")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    app = _app(provider)  # request ids are on in every app

    @app.get("/state")
    async def state(request: Request) -> dict[str, str]:
        logger.info("inside")
        return {"trace_id": request.state.trace_id}

    try:
        async with AsyncTestClient(app) as client:
            body = (await client.get("/state", headers={"x-request-id": "req-1"})).json()
    finally:
        logger.removeHandler(handler)
    server = _server(exporter)
    assert body["trace_id"] == f"{server.context.trace_id:032x}"
    (record,) = records
    assert record.trace_id == body["trace_id"]  # type: ignore[attr-defined]
    assert record.span_id == f"{server.context.span_id:016x}"  # type: ignore[attr-defined]
    assert record.request_id == "req-1"  # type: ignore[attr-defined]
    assert record.route == "/state"  # type: ignore[attr-defined]


def test_a_websocket_connection_gets_one_span_from_handshake_to_close(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    seen: list[str | None] = []
    app = _app(provider)

    @app.websocket("/chat/{room}")
    async def chat(socket: WebSocket, room: str) -> None:
        await socket.accept()
        seen.append(current_trace_id())
        await socket.send_text(room)
        await socket.receive_text()

    with TestClient(app) as client, client.websocket_connect("/chat/lobby") as socket:
        assert socket.receive_text() == "lobby"
        assert not exporter.get_finished_spans()  # open while the connection is
        accepted_headers: dict[bytes, bytes] = dict(socket.extra_headers or [])
        socket.send_text("bye")
    span = _server(exporter)
    assert span.name == "WEBSOCKET /chat/{room}"
    attributes = dict(span.attributes or {})
    assert attributes["http.route"] == "/chat/{room}"
    assert attributes["url.path"] == "/chat/lobby"
    assert attributes["url.scheme"] == "ws"
    assert attributes["http.response.status_code"] == 101
    assert span.status.status_code is StatusCode.UNSET
    trace_id = f"{span.context.trace_id:032x}"
    assert seen == [trace_id]
    assert accepted_headers[b"traceparent"].decode().split("-")[1] == trace_id


def test_a_websocket_handler_failure_sets_its_span_to_error(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    app = _app(provider)

    @app.websocket("/fail")
    async def fail(socket: WebSocket) -> None:
        await socket.accept()
        raise RuntimeError("socket went wrong")

    with (
        TestClient(app) as client,
        client.websocket_connect("/fail") as socket,
        pytest.raises(WebSocketDisconnect),
    ):
        socket.receive_text()
    span = _server(exporter)
    assert span.name == "WEBSOCKET /fail"
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "RuntimeError"
    assert [e.name for e in span.events] == ["exception"]


async def test_without_a_global_provider_the_global_exporter_fails_at_startup() -> None:
    app = LexigramApp(observability={"tracing": {"enabled": True}})
    with pytest.raises(ConfigurationError, match="set_tracer_provider"):
        await app.startup()
    assert not app.started


async def test_the_none_exporter_records_spans_for_ids_without_exporting() -> None:
    app = LexigramApp(observability={"tracing": {"enabled": True, "exporter": "none"}})

    @app.get("/fail")
    async def fail() -> None:
        raise NotFoundError("gone")

    async with AsyncTestClient(app) as client:
        response = await client.get("/fail")
    trace_id = response.json()["trace_id"]
    assert len(trace_id) == 32 and int(trace_id, 16) != 0
    assert response.headers["traceparent"].split("-")[1] == trace_id


async def test_the_console_exporter_prints_finished_spans(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = LexigramApp(
        observability={"tracing": {"enabled": True, "exporter": "console", "service_name": "shop"}}
    )

    @app.get("/items/{id:int}")
    async def item(id: int) -> dict[str, int]:
        return {"id": id}

    async with AsyncTestClient(app) as client:
        await client.get("/items/3")
    printed = capsys.readouterr().out  # the app's provider is flushed when it stops
    assert '"name": "GET /items/{id}"' in printed
    assert '"service.name": "shop"' in printed


@pytest.mark.parametrize(
    ("exporter", "message"),
    [
        ("no_such_module_here:factory", "cannot be imported"),
        ("logging:getLogger", "must be a SpanExporter"),
    ],
)
async def test_an_unusable_exporter_factory_fails_at_startup(exporter: str, message: str) -> None:
    app = LexigramApp(observability={"tracing": {"enabled": True, "exporter": exporter}})
    with pytest.raises(ConfigurationError, match=message):
        await app.startup()


async def test_tracing_leaves_nothing_for_the_cyclic_collector(provider: TracerProvider) -> None:
    from _garbage import garbage_per_request

    def build(**options: Any) -> LexigramApp:
        app = LexigramApp(**options)

        @app.get("/items/{id:int}")
        async def item(id: int) -> dict[str, int]:
            return {"id": id}

        return app

    plain = await garbage_per_request(build(), "/items/1")
    traced = await garbage_per_request(
        build(observability={"tracing": {"enabled": True, "tracer_provider": provider}}),
        "/items/1",
    )
    assert traced == plain


def test_the_public_tracing_module_keeps_its_names() -> None:
    import lexigram.web.otel as otel

    assert otel.__all__ == ["Tracing", "TracingBehaviour", "tracer_provider_for"]
    assert all(callable(getattr(otel, name)) for name in otel.__all__)
