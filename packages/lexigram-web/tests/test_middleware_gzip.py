import gzip
import zlib
from collections.abc import Sequence

import pytest
from starlette.types import Message, Receive, Scope, Send

from lexigram.web.middleware import GZipMiddleware
from lexigram.web.middleware._gzip import accepts_gzip

TEXT = b"lexigram " * 200  # 1800 bytes


def responder(
    *bodies: bytes,
    content_type: bytes = b"application/json",
    extra: Sequence[tuple[bytes, bytes]] = (),
    status: int = 200,
) -> object:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", content_type), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for index, body in enumerate(bodies):
            more = index < len(bodies) - 1
            await send({"type": "http.response.body", "body": body, "more_body": more})

    return app


async def call(
    app: object, accept: bytes | None = b"gzip, deflate", method: str = "GET"
) -> tuple[Message, list[Message]]:
    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    headers = [] if accept is None else [(b"accept-encoding", accept)]
    scope: Scope = {"type": "http", "method": method, "path": "/", "headers": headers}
    middleware = GZipMiddleware(app, minimum_size=500)  # type: ignore[arg-type]
    await middleware(scope, _unused, collect)
    return sent[0], sent[1:]


def header(message: Message, name: bytes) -> bytes | None:
    for key, value in message["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None


async def test_a_large_compressible_body_is_gzipped_with_length_and_vary() -> None:
    start, bodies = await call(responder(TEXT, extra=[(b"etag", b'"v1"')]))
    data = bodies[0]["body"]
    assert header(start, b"content-encoding") == b"gzip"
    assert header(start, b"content-length") == str(len(data)).encode()
    assert header(start, b"vary") == b"Accept-Encoding"
    assert header(start, b"etag") == b'W/"v1"'
    assert gzip.decompress(data) == TEXT


async def test_a_body_under_the_minimum_size_is_left_alone() -> None:
    start, bodies = await call(responder(b'{"small": true}'))
    assert header(start, b"content-encoding") is None
    assert bodies[0]["body"] == b'{"small": true}'


async def test_a_client_without_gzip_gets_the_plain_body() -> None:
    start, bodies = await call(responder(TEXT), accept=b"br, gzip;q=0")
    assert header(start, b"content-encoding") is None
    assert bodies[0]["body"] == TEXT


async def test_an_already_encoded_response_is_not_compressed_again() -> None:
    start, bodies = await call(responder(TEXT, extra=[(b"content-encoding", b"br")]))
    assert header(start, b"content-encoding") == b"br"
    assert bodies[0]["body"] == TEXT


@pytest.mark.parametrize("media_type", [b"image/png", b"text/event-stream", b"application/zip"])
async def test_incompressible_and_streaming_media_types_are_skipped(media_type: bytes) -> None:
    start, bodies = await call(responder(TEXT, TEXT, content_type=media_type))
    assert header(start, b"content-encoding") is None
    assert [b["body"] for b in bodies] == [TEXT, TEXT]


async def test_no_transform_and_head_requests_are_left_alone() -> None:
    no_transform = responder(TEXT, extra=[(b"cache-control", b"no-transform")])
    start, _ = await call(no_transform)
    assert header(start, b"content-encoding") is None
    start, _ = await call(responder(TEXT), method="HEAD")
    assert header(start, b"content-encoding") is None


async def test_a_streamed_body_is_compressed_chunk_by_chunk() -> None:
    start, bodies = await call(responder(b"first ", b"second ", b"third"))
    assert header(start, b"content-encoding") == b"gzip"
    assert header(start, b"content-length") is None
    assert [b["more_body"] for b in bodies] == [True, True, False]
    decompressor = zlib.decompressobj(31)
    # Each chunk is flushed: it decompresses on its own as soon as it arrives.
    assert decompressor.decompress(bodies[0]["body"]) == b"first "
    assert decompressor.decompress(bodies[1]["body"]) == b"second "
    assert decompressor.decompress(bodies[2]["body"]) == b"third"
    assert decompressor.eof


async def test_a_streamed_body_declared_smaller_than_the_minimum_is_left_alone() -> None:
    app = responder(b"ab", b"cd", extra=[(b"content-length", b"4")])
    start, bodies = await call(app)
    assert header(start, b"content-encoding") is None
    assert [b["body"] for b in bodies] == [b"ab", b"cd"]


async def test_a_no_content_response_passes_through() -> None:
    start, _ = await call(responder(b"", status=204))
    assert start["status"] == 204
    assert header(start, b"content-encoding") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"gzip", True),
        (b"GZIP;q=0.5", True),
        (b"x-gzip", True),
        (b"*", True),
        (b"br, *;q=0.1", True),
        (b"gzip;q=0", False),
        (b"*;q=0", False),
        (b"gzip;q=0, *", False),
        (b"identity", False),
        (b"", False),
        (b"gzip;q=bogus", False),
    ],
)
def test_accept_encoding_parsing(value: bytes, expected: bool) -> None:
    assert accepts_gzip(value) is expected


@pytest.mark.parametrize(("option", "value"), [("minimum_size", -1), ("compresslevel", 10)])
def test_bad_options_are_refused(option: str, value: int) -> None:
    with pytest.raises(ValueError, match=option):
        GZipMiddleware(responder(), **{option: value})  # type: ignore[arg-type]


async def _unused() -> Message:
    raise AssertionError("receive must not be called")


async def test_a_path_send_after_the_start_releases_the_start_unchanged() -> None:
    async def sends_file(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"1800")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.pathsend", "path": "/tmp/file.txt"})

    start, rest = await call(sends_file)
    assert header(start, b"content-encoding") is None
    assert header(start, b"content-length") == b"1800"
    assert rest == [{"type": "http.response.pathsend", "path": "/tmp/file.txt"}]
