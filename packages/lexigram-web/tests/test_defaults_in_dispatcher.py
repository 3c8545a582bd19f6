"""An app runs the innermost defaults of its stack (request id, security headers, body limit,
query rules) in its dispatcher: no middleware layer runs for them, and every answer is the one
the layered stack gives (ids echoed and visible everywhere, the application's own headers
kept, refusals carrying the id)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.middleware import Middleware
from starlette.responses import StreamingResponse
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from lexigram.http_errors import NotFoundError, UnauthorizedError
from lexigram.web import (
    Controller,
    CORSConfig,
    LexigramApp,
    Request,
    Response,
    SecurityHeadersConfig,
    VersioningConfig,
    WebConfig,
    WebSocket,
    api_version,
    background,
    current_request_id,
    get,
    get_request_id,
)
from lexigram.web._front import fold
from lexigram.web.middleware import (
    BodySizeLimitMiddleware,
    DefaultMiddlewareStack,
    QuerySanitizerMiddleware,
    RequestIDLogFilter,
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
)
from lexigram.web.testing import AsyncTestClient

DEFAULTS = (
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
    BodySizeLimitMiddleware,
    QuerySanitizerMiddleware,
)
SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def _forbid_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    async def layer_called(self: object, scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError(f"{type(self).__name__} ran as a layer")

    for cls in DEFAULTS:
        monkeypatch.setattr(cls, "__call__", layer_called)


def _app(config: WebConfig | None = None) -> LexigramApp:
    app = LexigramApp(config=config)

    @app.get("/text")
    async def text() -> Response:
        return Response("hi", media_type="text/plain")

    @app.post("/items")
    async def items() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/missing-item")
    async def missing_item() -> None:
        raise NotFoundError("no such item")

    return app


def _assert_defaults(response: Any, request_id: str | None = None) -> None:
    for name, value in SECURITY.items():
        assert response.headers.get_list(name) == [value], name
    ids = response.headers.get_list("x-request-id")
    assert len(ids) == 1
    if request_id is not None:
        assert ids == [request_id]
    else:
        assert len(ids[0]) == 32
        assert int(ids[0], 16) >= 0


async def test_the_default_app_answers_with_its_defaults_and_no_layer_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _forbid_layers(monkeypatch)
    app = _app()
    async with AsyncTestClient(app) as client:
        ok = await client.get("/text", headers={"X-Request-ID": "abc-1"})
        generated = await client.post("/items")
        raised = await client.get("/missing-item", headers={"X-Request-ID": "abc-2"})
        unrouted = await client.get("/nowhere", headers={"X-Request-ID": "abc-3"})
        wrong_method = await client.delete("/text")
        too_large = await client.post(
            "/items", content=b"x" * 20, headers={"Content-Length": "11000000"}
        )
        bad_length = await client.post("/items", headers={"Content-Length": "twelve"})
        controls = await client.get("/text?q=a%01b")
        too_long = await client.get("/text?q=" + "a" * 9000)
    assert ok.text == "hi"
    _assert_defaults(ok, "abc-1")
    assert generated.json() == {"ok": True}
    _assert_defaults(generated)
    answers = [
        (raised, 404), (unrouted, 404), (wrong_method, 405), (too_large, 413),
        (bad_length, 400), (controls, 400), (too_long, 414),
    ]  # fmt: skip
    for response, status in answers:
        assert response.status_code == status
        _assert_defaults(response, response.request.headers.get("x-request-id"))
        assert response.json()["request_id"] == response.headers["x-request-id"]
    assert raised.headers["x-request-id"] == "abc-2"
    assert unrouted.headers["x-request-id"] == "abc-3"
    assert wrong_method.headers["allow"] == "GET, HEAD"


async def test_a_raised_error_with_headers_of_its_own_keeps_them_beside_the_defaults() -> None:
    app = LexigramApp()

    @app.get("/me")
    async def me() -> None:
        raise UnauthorizedError("sign in first", www_authenticate='Bearer realm="api"')

    async with AsyncTestClient(app) as client:
        response = await client.get("/me", headers={"X-Request-ID": "abc-4"})
    assert response.status_code == 401
    assert response.headers.get_list("www-authenticate") == ['Bearer realm="api"']
    assert response.headers["content-type"] == "application/problem+json"
    _assert_defaults(response, "abc-4")
    assert response.json()["request_id"] == "abc-4"
    assert response.json()["detail"] == "sign in first"


async def test_unsafe_or_untrusted_incoming_ids_are_replaced() -> None:
    async with AsyncTestClient(_app()) as client:
        unsafe = await client.get("/text", headers={"X-Request-ID": "has space"})
    untrusting = _app(WebConfig(trust_request_id=False, request_id_header="X-Trace"))
    async with AsyncTestClient(untrusting) as client:
        untrusted = await client.get("/text", headers={"X-Trace": "from-the-client"})
    _assert_defaults(unsafe)
    assert unsafe.headers["x-request-id"] != "has space"
    assert untrusted.headers["x-trace"] != "from-the-client"
    assert len(untrusted.headers["x-trace"]) == 32
    assert "x-request-id" not in untrusted.headers


async def test_the_id_is_visible_to_the_handler_its_logs_and_its_background_tasks() -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("lexigram.test.defaults")
    handler = Collect()
    handler.addFilter(RequestIDLogFilter())
    logger.addHandler(handler)
    later: list[str | None] = []

    @background
    async def afterwards() -> None:
        later.append(current_request_id())

    app = LexigramApp()

    @app.get("/seen")
    async def seen(request: Request) -> list[str | None]:
        logger.warning("inside")
        await afterwards()
        return [current_request_id(), await get_request_id(request), request.request_id]

    try:
        async with AsyncTestClient(app) as client:
            response = await client.get("/seen", headers={"X-Request-ID": "trace-9"})
    finally:
        logger.removeHandler(handler)
    assert response.json() == ["trace-9", "trace-9", "trace-9"]
    assert [getattr(r, "request_id", None) for r in records] == ["trace-9"]
    assert later == ["trace-9"]


async def test_headers_the_application_sets_itself_win() -> None:
    app = LexigramApp()

    @app.get("/own")
    async def own() -> Response:
        return Response("x", headers={"X-Frame-Options": "SAMEORIGIN", "X-Request-ID": "mine"})

    @app.get("/added")
    async def added(request: Request) -> dict[str, int]:
        request.add_header("X-Frame-Options", "SAMEORIGIN")
        request.add_header("Referrer-Policy", "no-referrer")
        return {"n": 1}

    @app.get("/streamed")
    async def streamed() -> StreamingResponse:
        async def chunks() -> Any:
            yield b"a"

        response = StreamingResponse(chunks())
        response.raw_headers.append((b"X-Frame-Options", b"SAMEORIGIN"))
        return response

    async with AsyncTestClient(app) as client:
        own_response = await client.get("/own")
        added_response = await client.get("/added", headers={"X-Request-ID": "r-1"})
        streamed_response = await client.get("/streamed")
    assert own_response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert own_response.headers.get_list("x-request-id") == ["mine"]
    assert own_response.headers["x-content-type-options"] == "nosniff"
    assert added_response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert added_response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert added_response.headers.get_list("x-request-id") == ["r-1"]
    assert streamed_response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert streamed_response.headers["x-content-type-options"] == "nosniff"
    assert len(streamed_response.headers["x-request-id"]) == 32


async def test_the_framework_endpoints_and_version_refusals_carry_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _forbid_layers(monkeypatch)

    @api_version(1)
    class Items(Controller):
        prefix = "/items"

        @get("")
        async def items(self) -> int:
            return 1

    app = LexigramApp(controllers=[Items], versioning=VersioningConfig(strategy="header"))
    async with AsyncTestClient(app) as client:
        health = await client.get("/health", headers={"X-Request-ID": "h-1"})
        document = await client.get("/openapi.json")
        refused = await client.get("/items")
    assert health.status_code == 200
    _assert_defaults(health, "h-1")
    _assert_defaults(document)
    assert refused.status_code == 400
    _assert_defaults(refused)
    assert refused.json()["request_id"] == refused.headers["x-request-id"]


def test_a_websocket_gets_its_id_and_a_bad_query_closes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _forbid_layers(monkeypatch)
    app = LexigramApp()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(f"{current_request_id()}|{websocket.request_id}")
        await websocket.close()

    with TestClient(app) as client:
        with client.websocket_connect("/ws", headers={"X-Request-ID": "ws-1"}) as socket:
            assert socket.receive_text() == "ws-1|ws-1"
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws?q=%00"):
            pass
    assert refused.value.code == 1008


async def test_with_cors_the_ids_and_headers_stay_a_layer_with_the_same_answers() -> None:
    config = WebConfig(cors=CORSConfig(allow_origins=("https://app.example",)))
    calls: list[str] = []
    original = RequestIDMiddleware.__call__

    async def counting(self: RequestIDMiddleware, scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["type"])
        await original(self, scope, receive, send)

    app = _app(config)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RequestIDMiddleware, "__call__", counting)
        async with AsyncTestClient(app) as client:
            ok = await client.get("/text", headers={"Origin": "https://app.example"})
            too_large = await client.post("/items", headers={"Content-Length": "11000000"})
    assert calls == ["http", "http"]
    _assert_defaults(ok)
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    assert too_large.status_code == 413
    _assert_defaults(too_large)


def _names(entries: list[Middleware]) -> list[str]:
    return [getattr(e.cls, "__name__", "?") for e in entries]


def test_the_default_stack_folds_entirely_into_the_dispatcher() -> None:
    kept, front = fold(DefaultMiddlewareStack(WebConfig()).build())
    assert kept == []
    assert front is not None and front.ids is not None and front.defaults is not None
    assert front.limit is not None and front.limit.max_body_size == 10 * 1024 * 1024
    assert front.query is not None and front.query.max_length == 8192
    assert {name for name, _ in front.defaults.static} == {n.encode() for n in SECURITY}


def test_cors_keeps_what_is_outside_it_as_layers() -> None:
    config = WebConfig(cors=CORSConfig(allow_origins=("https://app.example",)))
    kept, front = fold(DefaultMiddlewareStack(config).build())
    assert _names(kept) == ["RequestIDMiddleware", "SecurityHeadersMiddleware", "CORSMiddleware"]
    assert front is not None and front.ids is None and front.defaults is None
    assert front.limit is not None and front.query is not None


def test_extras_stay_layers_and_ids_fold_without_security_headers() -> None:
    class Marker:
        def __init__(self, app: Any) -> None:
            self.app = app

    config = WebConfig(security_headers=SecurityHeadersConfig(enabled=False), max_body_size=None)
    kept, front = fold(DefaultMiddlewareStack(config, extra_middlewares=[Marker]).build())
    assert _names(kept) == ["Marker"]
    assert front is not None and front.defaults is not None
    assert front.defaults.static == ()
    assert front.limit is None and front.query is not None
