"""Gzip response compression for clients that accept it."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._headers import add_vary

_GZIP_WBITS = 31  # zlib container = gzip
_NOT_COMPRESSED_STATUSES = frozenset({204, 206, 304})
_COMPRESSIBLE_APPLICATION = frozenset(
    {
        b"application/json",
        b"application/problem+json",
        b"application/javascript",
        b"application/xml",
        b"application/x-ndjson",
        b"application/graphql-response+json",
        b"image/svg+xml",
    }
)


class _Compressor(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...

    def flush(self, mode: int = ..., /) -> bytes: ...


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip``, ``x-gzip`` or ``*``; q > 0)."""
    gzip_q: float | None = None
    star_q: float | None = None
    for item in accept_encoding.split(b","):
        coding, _, params = item.partition(b";")
        coding = coding.strip().lower()
        if coding not in (b"gzip", b"x-gzip", b"*"):
            continue
        quality = 1.0
        for param in params.split(b";"):
            key, _, value = param.partition(b"=")
            if key.strip().lower() == b"q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if coding == b"*":
            star_q = quality
        else:
            gzip_q = quality if gzip_q is None else max(gzip_q, quality)
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


class GZipMiddleware:
    """Gzip HTTP responses of compressible media types when the client accepts gzip.

    Left alone: bodies under ``minimum_size`` bytes, responses that already have a
    ``Content-Encoding``, ``Cache-Control: no-transform``, 204/206/304 responses, HEAD
    requests, media types that do not compress (images, archives...) and
    ``excluded_media_types`` (``text/event-stream`` by default: events must not wait in a
    compressor). A streamed body is compressed chunk by chunk, each chunk flushed so the
    client receives it at once. ``Vary: Accept-Encoding`` is added to compressed responses.
    """

    __slots__ = ("_excluded", "_level", "_minimum", "app")

    def __init__(
        self,
        app: ASGIApp,
        *,
        minimum_size: int = 500,
        compresslevel: int = 6,
        excluded_media_types: Sequence[str] = ("text/event-stream",),
    ) -> None:
        if minimum_size < 0:
            raise ValueError(f"minimum_size must be >= 0 bytes, got {minimum_size}")
        if not 1 <= compresslevel <= 9:
            raise ValueError(f"compresslevel must be between 1 and 9, got {compresslevel}")
        self.app = app
        self._minimum = minimum_size
        self._level = compresslevel
        self._excluded = frozenset(t.lower().encode("latin-1") for t in excluded_media_types)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                if accepts_gzip(value):
                    responder = _GZipResponder(self, send, self._minimum, self._level)
                    await self.app(scope, receive, responder.send)
                    return
                break
        await self.app(scope, receive, send)

    def compressible(self, headers: Sequence[tuple[bytes, bytes]]) -> bool:
        """Whether a response with these headers may be compressed."""
        media_type = b""
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"content-encoding":
                return False
            if lowered == b"cache-control" and b"no-transform" in value.lower():
                return False
            if lowered == b"content-type":
                media_type = value.partition(b";")[0].strip().lower()
        if not media_type or media_type in self._excluded:
            return False
        return (
            media_type.startswith(b"text/")
            or media_type in _COMPRESSIBLE_APPLICATION
            or media_type.endswith((b"+json", b"+xml"))
        )


class _GZipResponder:
    """The per-response state of ``GZipMiddleware``: hold the start, then decide."""

    __slots__ = ("_compressor", "_level", "_middleware", "_minimum", "_send", "_start", "_state")

    _PENDING = 0  # start seen and held, no body yet
    _PASS = 1  # forwarding unchanged
    _STREAM = 2  # compressing a streamed body

    def __init__(self, middleware: GZipMiddleware, send: Send, minimum: int, level: int) -> None:
        self._middleware = middleware
        self._send = send
        self._minimum = minimum
        self._level = level
        self._start: Message | None = None
        self._state = self._PASS
        self._compressor: _Compressor | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            status: int = message["status"]
            headers = list(message.get("headers", ()))
            if status in _NOT_COMPRESSED_STATUSES or not self._middleware.compressible(headers):
                self._state = self._PASS
                await self._send(message)
                return
            message["headers"] = headers
            self._start = message
            self._state = self._PENDING
            return
        if self._state == self._PASS:
            await self._send(message)
            return
        if kind != "http.response.body":
            await self._release()
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        more: bool = message.get("more_body", False)
        if self._state == self._PENDING:
            await self._first_body(body, more)
            return
        compressor = self._compressor
        assert compressor is not None
        data = compressor.compress(body)
        data += compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
        await self._send({"type": "http.response.body", "body": data, "more_body": more})

    async def _release(self) -> None:
        """Send the held start unchanged and forward everything from now on."""
        start = self._start
        self._start = None
        self._state = self._PASS
        if start is not None:
            await self._send(start)

    async def _first_body(self, body: bytes, more: bool) -> None:
        start = self._start
        assert start is not None
        headers: list[tuple[bytes, bytes]] = start["headers"]
        minimum = self._minimum
        level = self._level
        if not more:
            if len(body) < minimum:
                await self._release()
                await self._send({"type": "http.response.body", "body": body})
                return
            data = zlib.compress(body, level, wbits=_GZIP_WBITS)
            _set_encoded_headers(headers, len(data))
            self._start = None
            self._state = self._PASS
            await self._send(start)
            await self._send({"type": "http.response.body", "body": data})
            return
        declared = _content_length(headers)
        if declared is not None and declared < minimum:
            await self._release()
            await self._send({"type": "http.response.body", "body": body, "more_body": True})
            return
        compressor = zlib.compressobj(level, zlib.DEFLATED, _GZIP_WBITS)
        self._compressor = compressor
        self._state = self._STREAM
        self._start = None
        _set_encoded_headers(headers, None)
        await self._send(start)
        data = compressor.compress(body) + compressor.flush(zlib.Z_SYNC_FLUSH)
        await self._send({"type": "http.response.body", "body": data, "more_body": True})


def _content_length(headers: Sequence[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return None


def _set_encoded_headers(headers: list[tuple[bytes, bytes]], length: int | None) -> None:
    """Rewrite ``headers`` (in place) for a gzip body of ``length`` bytes (``None``: streamed)."""
    kept: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length":
            continue
        if lowered == b"etag" and not value.startswith(b"W/"):
            value = b"W/" + value
        kept.append((name, value))
    kept.append((b"content-encoding", b"gzip"))
    if length is not None:
        kept.append((b"content-length", str(length).encode("ascii")))
    add_vary(kept, b"Accept-Encoding")
    headers[:] = kept
