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

from .background import BackgroundTasks
from .context import UNROUTED, ExecutionContext, RouteInfo, first_header, scope_params
from .settings import DEFAULT_SETTINGS, RequestSettings

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
        settings: RequestSettings | None = None,
        route: RouteInfo | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> None:
        # What Starlette's Request.__init__ and ExecutionContext._init_context set, inline
        # (and positional at the pipeline's call site): this runs once per request.
        self.scope = scope
        self._receive = receive
        self._send = send
        self._stream_consumed = False
        self._is_disconnected = False
        self._form = None
        self._received = 0
        self.json_cache = None
        self.form_used = False
        self.settings = settings if settings is not None else DEFAULT_SETTINGS
        self.route = route if route is not None else UNROUTED
        self._path_params = path_params if path_params is not None else scope_params(scope)
        self.validated_data = {}
        self.di_scope = None
        self.controller = None
        self.background: BackgroundTasks | None = None
        self.response_headers = None
        self._query = None
        self._query_pairs = None
        self._header_map = None

    async def _next_chunk(self) -> tuple[bytes, bool]:
        """The next chunk of the body and whether more may follow (``b""`` at the end); 413
        as soon as the body is (or is declared) larger than the limit."""
        limit = self.settings.max_body_size
        if limit is not None and not self._received:
            declared = first_header(self.scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit)
        while not self._stream_consumed:
            message = await self._receive()
            kind = message["type"]
            if kind == "http.request":
                more: bool = message.get("more_body", False)
                if not more:
                    self._stream_consumed = True
                chunk: bytes = message.get("body", b"")
                if chunk:
                    if limit is not None:
                        received = self._received = self._received + len(chunk)
                        if received > limit:
                            raise _too_large(limit)
                    return chunk, more
            elif kind == "http.disconnect":
                self._is_disconnected = True
                raise ClientDisconnect()
        return b"", False

    async def body(self) -> bytes:
        """The raw body, read once (413 as soon as it exceeds the size limit)."""
        if self._stream_consumed:
            try:
                return self._body
            except AttributeError:
                raise RuntimeError("Stream consumed") from None
        chunk, more = await self._next_chunk()
        if more:
            chunks = [chunk]
            while more:
                chunk, more = await self._next_chunk()
                chunks.append(chunk)
            chunk = b"".join(chunks)
        self._body = chunk
        return chunk

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """The body chunk by chunk (413 as soon as it exceeds the size limit)."""
        if hasattr(self, "_body"):
            yield self._body
            yield b""
            return
        if self._stream_consumed:
            raise RuntimeError("Stream consumed")
        more = True
        while more:
            chunk, more = await self._next_chunk()
            if chunk:
                yield chunk
        yield b""


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"request body exceeds the {limit}-byte limit")
