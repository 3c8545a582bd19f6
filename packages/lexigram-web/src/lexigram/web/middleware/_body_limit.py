"""Refuse request bodies larger than a limit: from ``Content-Length`` or while streaming."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lexigram.http_errors import PayloadTooLargeError

from .._http.limits import BodyLimit
from .._http.problem import send_problem

_HTTP1 = frozenset({"1.0", "1.1"})


class BodySizeLimitMiddleware:
    """Answer 413 problem+json for request bodies over ``max_body_size`` bytes.

    A declared ``Content-Length`` over the limit is refused before the application runs
    and without reading the body. A body without ``Content-Length`` (chunked, HTTP/2) is counted
    as the application reads it: the read that crosses the limit raises
    ``PayloadTooLargeError``, answered 413 here unless the response has already started.
    ``limit`` holds the setting.
    """

    __slots__ = ("app", "limit")

    def __init__(self, app: ASGIApp, *, max_body_size: int) -> None:
        self.app = app
        self.limit = BodyLimit(max_body_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        if length is not None:
            error = self.limit.check_declared(length)
            if error is not None:
                await send_problem(scope, send, error)
            else:
                await self.app(scope, receive, send)
            return
        if not chunked and scope.get("http_version", "1.1") in _HTTP1:
            # HTTP/1.x without Content-Length or Transfer-Encoding: the body is empty.
            await self.app(scope, receive, send)
            return
        await self._streamed(scope, receive, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit.max_body_size
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self.limit.too_large()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except PayloadTooLargeError as error:
            if started:
                raise
            await send_problem(scope, send, error)
