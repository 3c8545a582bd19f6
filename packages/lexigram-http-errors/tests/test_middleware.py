"""The ASGI middleware, driven by a tiny hand-written ASGI server."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from lexigram.http_errors import (
    PROBLEM_JSON,
    ErrorStatusMap,
    ExceptionHandlers,
    HTTPError,
    NotFoundError,
    ProblemDetail,
    ProblemDetailsMiddleware,
    ProblemHandler,
    WebSocketDisconnect,
    WebSocketException,
    domain,
)

Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SECRET = "password=hunter2"


def http_scope(
    path: str = "/items/1", method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None
) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def websocket_scope() -> Scope:
    return {"type": "websocket", "path": "/ws", "headers": [], "subprotocols": []}


async def drive(app: App, scope: Scope, *, fail_send: bool = False) -> list[Message]:
    """Run ``app`` once; the request has an empty body, then the client disconnects."""
    sent: list[Message] = []
    first = True

    async def receive() -> Message:
        nonlocal first
        if first:
            first = False
            kind = "http.request" if scope["type"] == "http" else "websocket.connect"
            return {"type": kind, "body": b"", "more_body": False}
        return {"type": "http.disconnect" if scope["type"] == "http" else "websocket.disconnect"}

    async def send(message: Message) -> None:
        if fail_send:
            raise OSError("client went away")
        sent.append(dict(message))

    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    return sent


def response(sent: list[Message]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return starts[0]["status"], list(starts[0]["headers"]), body


def values(headers: list[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    return [value for key, value in headers if key == name]


def raising(exc: BaseException) -> App:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise exc

    return app


async def ok_app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-ok", b"1")]})
    await send({"type": "http.response.body", "body": b"fine"})


async def test_a_normal_response_passes_through_untouched() -> None:
    status, headers, body = response(await drive(ProblemDetailsMiddleware(ok_app), http_scope()))
    assert (status, headers, body) == (200, [(b"x-ok", b"1")], b"fine")


async def test_http_error_becomes_a_problem_response() -> None:
    app = ProblemDetailsMiddleware(raising(NotFoundError("item 1 not found")))
    status, headers, body = response(await drive(app, http_scope()))
    assert status == 404
    assert values(headers, b"content-type") == [PROBLEM_JSON.encode()]
    assert json.loads(body) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "item 1 not found",
        "instance": "/items/1",
    }


async def test_http_error_headers_reach_the_wire_with_duplicates() -> None:
    error = HTTPError(401, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    status, headers, _ = response(
        await drive(ProblemDetailsMiddleware(raising(error)), http_scope())
    )
    assert status == 401
    assert values(headers, b"set-cookie") == [b"a=1", b"b=2"]


async def test_unexpected_exception_is_a_500_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = ProblemDetailsMiddleware(raising(RuntimeError(SECRET)))
    with caplog.at_level(logging.ERROR, logger="lexigram.http_errors"):
        status, _, body = response(await drive(app, http_scope()))
    assert status == 500
    assert SECRET.encode() not in body
    assert b"RuntimeError" not in body
    assert json.loads(body)["detail"] == "An internal error occurred."
    assert "unhandled RuntimeError answered with 500" in caplog.text


async def test_debug_adds_the_traceback_to_500s() -> None:
    app = ProblemDetailsMiddleware(raising(RuntimeError("boom")), debug=True)
    _, _, body = response(await drive(app, http_scope()))
    data = json.loads(body)
    assert data["detail"] == "RuntimeError: boom"
    assert isinstance(data["traceback"], list)


async def test_domain_errors_use_the_default_map() -> None:
    app = ProblemDetailsMiddleware(raising(domain.PermissionDeniedError()))
    status, _, body = response(await drive(app, http_scope()))
    assert status == 403
    assert json.loads(body)["detail"] == "Permission denied"


async def test_the_given_status_map_is_used() -> None:
    app = ProblemDetailsMiddleware(
        raising(KeyError("sku")), status_map=ErrorStatusMap({KeyError: 404})
    )
    status, _, _ = response(await drive(app, http_scope()))
    assert status == 404


async def test_request_id_header_is_copied_into_the_problem() -> None:
    scope = http_scope(headers=[(b"x-request-id", b"req-42")])
    _, _, body = response(await drive(ProblemDetailsMiddleware(raising(NotFoundError())), scope))
    assert json.loads(body)["request_id"] == "req-42"


async def test_request_id_header_name_is_configurable_and_can_be_off() -> None:
    scope = http_scope(headers=[(b"x-correlation-id", b"c-1"), (b"x-request-id", b"r-1")])
    custom = ProblemDetailsMiddleware(
        raising(NotFoundError()), request_id_header="X-Correlation-ID"
    )
    off = ProblemDetailsMiddleware(raising(NotFoundError()), request_id_header=None)
    assert json.loads(response(await drive(custom, scope))[2])["request_id"] == "c-1"
    assert "request_id" not in json.loads(response(await drive(off, scope))[2])


async def test_instance_can_be_left_out() -> None:
    app = ProblemDetailsMiddleware(raising(NotFoundError()), include_instance=False)
    assert "instance" not in json.loads(response(await drive(app, http_scope()))[2])


async def test_head_requests_get_headers_without_a_body() -> None:
    app = ProblemDetailsMiddleware(raising(NotFoundError()))
    status, headers, body = response(await drive(app, http_scope(method="HEAD")))
    assert (status, body) == (404, b"")
    assert int(values(headers, b"content-length")[0]) > 0


async def test_a_single_exception_inside_a_group_is_unwrapped() -> None:
    group = ExceptionGroup("task group", [ExceptionGroup("inner", [NotFoundError()])])
    status, _, _ = response(await drive(ProblemDetailsMiddleware(raising(group)), http_scope()))
    assert status == 404


async def test_an_exception_after_the_response_started_is_re_raised() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("mid-stream")

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(RuntimeError, match="mid-stream"):
        await asyncio.wait_for(ProblemDetailsMiddleware(app)(http_scope(), receive, send), 5)
    assert [m["type"] for m in sent] == ["http.response.start"]


async def test_a_failing_send_propagates_instead_of_hanging() -> None:
    app = ProblemDetailsMiddleware(raising(NotFoundError()))
    with pytest.raises(OSError, match="client went away"):
        await drive(app, http_scope(), fail_send=True)


async def test_base_exceptions_like_cancellation_are_not_rendered() -> None:
    app = ProblemDetailsMiddleware(raising(asyncio.CancelledError()))
    with pytest.raises(asyncio.CancelledError):
        await drive(app, http_scope())


async def test_lifespan_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])
        raise RuntimeError("lifespan failure is the server's business")

    with pytest.raises(RuntimeError, match="lifespan"):
        await drive(ProblemDetailsMiddleware(app), {"type": "lifespan"})
    assert seen == ["lifespan"]


async def test_failure_while_rendering_still_answers_500() -> None:
    class Unprintable(domain.DomainError):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    status, _, body = response(
        await drive(ProblemDetailsMiddleware(raising(Unprintable())), http_scope())
    )
    assert status == 500
    assert json.loads(body)["status"] == 500


async def test_handler_by_type_returning_a_problem() -> None:
    def on_key_error(scope: Scope, exc: BaseException) -> ProblemDetail:
        return ProblemDetail(status=404, detail=f"no {exc.args[0]} at {scope['path']}")

    app = ProblemDetailsMiddleware(raising(KeyError("sku")), handlers={KeyError: on_key_error})
    status, _, body = response(await drive(app, http_scope()))
    assert status == 404
    assert json.loads(body)["detail"] == "no sku at /items/1"


async def test_async_handler_by_status_keeps_the_error_headers() -> None:
    async def on_429(scope: Scope, exc: BaseException) -> ProblemDetail:
        return ProblemDetail(status=429, detail="calm down")

    handlers: ExceptionHandlers[ProblemHandler] = ExceptionHandlers({429: on_429})
    error = HTTPError(429, headers={"Retry-After": "9"})
    app = ProblemDetailsMiddleware(raising(error), handlers=handlers)
    status, headers, body = response(await drive(app, http_scope()))
    assert status == 429
    assert json.loads(body)["detail"] == "calm down"
    assert values(headers, b"retry-after") == [b"9"]


async def test_handler_by_status_sees_the_mapped_status() -> None:
    def on_404(scope: Scope, exc: BaseException) -> ProblemDetail:
        return ProblemDetail(status=404, detail="handled")

    app = ProblemDetailsMiddleware(raising(domain.NotFoundError()), handlers={404: on_404})
    assert json.loads(response(await drive(app, http_scope()))[2])["detail"] == "handled"


async def test_handler_returning_none_keeps_the_default_rendering() -> None:
    calls: list[BaseException] = []

    def observe(scope: Scope, exc: BaseException) -> None:
        calls.append(exc)

    error = NotFoundError()
    app = ProblemDetailsMiddleware(raising(error), handlers={NotFoundError: observe})
    status, _, _ = response(await drive(app, http_scope()))
    assert status == 404
    assert calls == [error]


async def test_handler_returning_an_asgi_response_sends_it() -> None:
    async def teapot(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"short and stout"})

    def on_value_error(scope: Scope, exc: BaseException) -> App:
        return teapot

    app = ProblemDetailsMiddleware(raising(ValueError()), handlers={ValueError: on_value_error})
    assert response(await drive(app, http_scope()))[::2] == (418, b"short and stout")


async def test_handler_that_raises_gives_a_generic_500(caplog: pytest.LogCaptureFixture) -> None:
    def broken(scope: Scope, exc: BaseException) -> ProblemDetail:
        raise LookupError(SECRET)

    app = ProblemDetailsMiddleware(raising(NotFoundError()), handlers={404: broken})
    with caplog.at_level(logging.ERROR, logger="lexigram.http_errors"):
        status, _, body = response(await drive(app, http_scope()))
    assert status == 500
    assert SECRET.encode() not in body
    assert "the exception handler" in caplog.text


async def test_asgi_response_from_a_handler_that_fails_before_starting_gives_500() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("broken response")

    def handler(scope: Scope, exc: BaseException) -> App:
        return broken

    app = ProblemDetailsMiddleware(raising(ValueError()), handlers={ValueError: handler})
    assert response(await drive(app, http_scope()))[0] == 500


async def test_asgi_response_from_a_handler_that_fails_after_starting_re_raises() -> None:
    async def half(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("half a response")

    def handler(scope: Scope, exc: BaseException) -> App:
        return half

    app = ProblemDetailsMiddleware(raising(ValueError()), handlers={ValueError: handler})
    with pytest.raises(RuntimeError, match="half a response"):
        await drive(app, http_scope())


async def test_fallback_handler_catches_everything_else() -> None:
    def fallback(scope: Scope, exc: BaseException) -> ProblemDetail:
        return ProblemDetail(status=503, detail="try later")

    handlers: ExceptionHandlers[ProblemHandler] = ExceptionHandlers(fallback=fallback)
    app = ProblemDetailsMiddleware(raising(RuntimeError()), handlers=handlers)
    assert response(await drive(app, http_scope()))[0] == 503


async def test_websocket_exception_closes_with_its_code() -> None:
    sent = await drive(
        ProblemDetailsMiddleware(raising(WebSocketException(4001, "bad token"))), websocket_scope()
    )
    assert sent == [{"type": "websocket.close", "code": 4001, "reason": "bad token"}]


async def test_websocket_unexpected_error_closes_with_1011() -> None:
    sent = await drive(ProblemDetailsMiddleware(raising(RuntimeError(SECRET))), websocket_scope())
    assert sent == [{"type": "websocket.close", "code": 1011, "reason": ""}]


async def test_websocket_client_error_closes_with_policy_violation() -> None:
    sent = await drive(ProblemDetailsMiddleware(raising(NotFoundError())), websocket_scope())
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}]


async def test_websocket_disconnect_is_not_an_error() -> None:
    sent = await drive(
        ProblemDetailsMiddleware(raising(WebSocketDisconnect(1001))), websocket_scope()
    )
    assert sent == []


async def test_websocket_already_closed_re_raises() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "websocket.close", "code": 1000, "reason": ""})
        raise RuntimeError("after close")

    with pytest.raises(RuntimeError, match="after close"):
        await drive(ProblemDetailsMiddleware(app), websocket_scope())
