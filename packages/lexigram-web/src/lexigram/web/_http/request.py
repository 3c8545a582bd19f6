"""``Request``: the execution context of an HTTP route, a Starlette request with a body limit.

The body size limit is enforced in one place, ``_next_chunk``: a declared ``Content-Length``
over the limit is refused before anything is read, and a streamed body as soon as it crosses
the limit; ``body()``, ``stream()``, ``form()`` and ``json()`` all read through it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from starlette.requests import ClientDisconnect, empty_receive, empty_send
from starlette.requests import Request as StarletteRequest
from starlette.types import Receive, Scope, Send

from lexigram.http_errors import PayloadTooLargeError

from .context import ExecutionContext, RouteInfo
from .settings import RequestSettings
from .wire import header_of

__all__ = ["Request"]


class Request(ExecutionContext, StarletteRequest):
    """The HTTP request handed to handlers, guards, interceptors and exception filters.

    A Starlette ``Request`` (so any Starlette utility accepts it) and an
    ``ExecutionContext`` (the route answering it), with a few additions: ``ip``
    (proxy-aware), ``user``/``auth`` that answer ``None`` instead of asserting, ``request_id``,
    ``is_json``, ``accepted_types``, ``validated_data``, and a body size limit enforced while
    the body streams in.
    """

    __slots__ = (
        "_body",
        "_form",
        "_has_body",
        "_is_disconnected",
        "_json",
        "_received",
        "_stream_consumed",
        "form_used",
        "json_cache",
    )

    json_cache: Any
    """The parsed JSON body, once a body parameter read it."""
    form_used: bool
    """Whether a form parameter parsed the body (its files are closed after the response)."""

    def __init__(
        self,
        scope: Scope,
        receive: Receive = empty_receive,
        send: Send = empty_send,
        *,
        settings: RequestSettings | None = None,
        route: RouteInfo | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> None:
        # what Starlette's Request.__init__ sets, without its per-request asserts
        self.scope = scope
        self._receive = receive
        self._send = send
        self._stream_consumed = False
        self._is_disconnected = False
        self._form = None
        self._has_body = False
        self._received = 0
        self.json_cache = None
        self.form_used = False
        self._init_context(settings, route, path_params)

    async def _next_chunk(self) -> bytes | None:
        """The next non-empty chunk of the body, or ``None`` once all of it arrived; 413 as
        soon as the body is (or is declared) larger than the limit."""
        limit = self.settings.max_body_size
        if limit is not None and not self._received:
            declared = header_of(self.scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit)
        while not self._stream_consumed:
            message = await self._receive()
            kind = message["type"]
            if kind == "http.request":
                if not message.get("more_body", False):
                    self._stream_consumed = True
                chunk: bytes = message.get("body", b"")
                if chunk:
                    if limit is not None:
                        received = self._received = self._received + len(chunk)
                        if received > limit:
                            raise _too_large(limit)
                    return chunk
            elif kind == "http.disconnect":
                self._is_disconnected = True
                raise ClientDisconnect()
        return None

    async def body(self) -> bytes:
        """The raw body, read once (413 as soon as it exceeds the size limit)."""
        if self._has_body:
            return self._body
        first = await self._next_chunk()
        if first is None:
            body = b""
        else:
            chunks = [first]
            while (chunk := await self._next_chunk()) is not None:
                chunks.append(chunk)
            body = first if len(chunks) == 1 else b"".join(chunks)
        self._body = body
        self._has_body = True
        return body

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """The body chunk by chunk (413 as soon as it exceeds the size limit)."""
        if self._has_body:
            yield self._body
            yield b""
            return
        if self._stream_consumed:
            raise RuntimeError("Stream consumed")
        while (chunk := await self._next_chunk()) is not None:
            yield chunk
        yield b""


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"request body exceeds the {limit}-byte limit")
