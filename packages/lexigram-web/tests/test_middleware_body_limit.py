from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from lexigram.http_errors import PayloadTooLargeError
from lexigram.web.middleware import BodySizeLimitMiddleware


async def read_body(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the whole body, then answer with its length."""
    size = 0
    more = True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def chunks(count: int, size: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


async def test_a_body_within_the_limit_reaches_the_application() -> None:
    async with client(BodySizeLimitMiddleware(read_body, max_body_size=10)) as http:
        response = await http.post("/", content=b"0123456789")
    assert response.status_code == 200
    assert response.text == "10"


async def test_an_oversized_content_length_is_413_without_reading_the_body() -> None:
    calls: list[Scope] = []

    async def must_not_run(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope)

    async with client(BodySizeLimitMiddleware(must_not_run, max_body_size=10)) as http:
        response = await http.post("/upload", content=b"x" * 11)
    assert calls == []
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Content Too Large"
    assert problem["status"] == 413
    assert problem["instance"] == "/upload"
    assert problem["detail"] == "the request body (11 bytes) is larger than the limit of 10 bytes"


async def test_an_oversized_streamed_body_is_refused_while_reading() -> None:
    async with client(BodySizeLimitMiddleware(read_body, max_body_size=100)) as http:
        response = await http.post("/", content=chunks(count=5, size=30))
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body is larger than the limit of 100 bytes"


async def test_a_streamed_body_within_the_limit_is_read_whole() -> None:
    async with client(BodySizeLimitMiddleware(read_body, max_body_size=100)) as http:
        response = await http.post("/", content=chunks(count=3, size=30))
    assert response.status_code == 200
    assert response.text == "90"


async def test_an_http2_body_without_content_length_is_counted() -> None:
    sent: list[Message] = []
    bodies = [b"x" * 8, b"x" * 8]

    async def receive() -> Message:
        return {"type": "http.request", "body": bodies.pop(0), "more_body": bool(bodies)}

    async def collect(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "http_version": "2", "path": "/", "headers": []}
    await BodySizeLimitMiddleware(read_body, max_body_size=10)(scope, receive, collect)
    assert sent[0]["status"] == 413


async def test_a_limit_crossed_after_the_response_started_is_reraised() -> None:
    async def answers_then_reads(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while (await receive()).get("more_body", False):
            pass

    async with client(BodySizeLimitMiddleware(answers_then_reads, max_body_size=10)) as http:
        with pytest.raises(PayloadTooLargeError, match="larger than the limit"):
            await http.post("/", content=chunks(count=3, size=10))


async def test_a_malformed_content_length_is_a_400_problem() -> None:
    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "path": "/", "headers": [(b"content-length", b"12abc")]}
    await BodySizeLimitMiddleware(read_body, max_body_size=10)(scope, _unused, collect)
    assert sent[0]["status"] == 400
    assert b"Content-Length header is not a whole number" in sent[1]["body"]


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_body_size"):
        BodySizeLimitMiddleware(read_body, max_body_size=-1)


async def _unused() -> Message:
    raise AssertionError("receive must not be called")
