"""``Request``: the execution context of an HTTP route, a Starlette request with a body limit.

The body size limit and the body read timeout are enforced in one place, ``_next_chunk``: a
declared ``Content-Length`` over the limit is refused (413) before anything is read, a streamed
body as soon as it crosses the limit, and a body that stalls for ``body_timeout`` seconds is
answered 408; ``body()``, ``stream()``, ``form()`` and ``json()`` all read through it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import ClientDisconnect, empty_receive, empty_send
from starlette.requests import Request as StarletteRequest
from starlette.types import Receive, Scope, Send

from lexigram.http_errors import PayloadTooLargeError

from .background import BackgroundTasks
from .context import UNROUTED, ExecutionContext, RouteInfo
from .settings import DEFAULT_SETTINGS, RequestSettings, receive_body_part
from .wire import header_of

__all__ = ["Request"]


class Request(ExecutionContext, StarletteRequest):
    """The HTTP request handed to handlers, guards, interceptors and exception filters.

    A Starlette ``Request`` (so any Starlette utility accepts it) and an
    ``ExecutionContext`` (the route answering it), with a few additions: ``ip``
    (proxy-aware), ``user``/``auth`` that answer ``None`` instead of asserting, ``request_id``,
    ``is_json``, ``accepted_types``, ``validated_data``, and a body size limit and read timeout
    enforced while the body streams in.
    """

    __slots__ = ("_body", "_json")

    # what Starlette's Request.__init__ sets, and this class's own state, as class defaults:
    # a request writes them only when it reads its body
    _stream_consumed: bool = False
    _is_disconnected: bool = False
    _form: FormData | None = None
    _has_body: bool = False
    _received: int = 0
    json_cache: Any = None
    """The parsed JSON body, once a body parameter read it."""
    form_used: bool = False
    """Whether a form parameter parsed the body (its files are closed after the response)."""
    background: BackgroundTasks | None  # declared on ExecutionContext, set in __init__ here

    def __init__(
        self,
        scope: Scope,
        receive: Receive = empty_receive,
        send: Send = empty_send,
        settings: RequestSettings | None = None,
        route: RouteInfo | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> None:
        # Starlette's Request.__init__ without its per-request asserts, and _init_context
        # inlined (this runs once per request)
        self.scope = scope
        self._receive = receive
        self._send = send
        self.settings = settings if settings is not None else DEFAULT_SETTINGS
        self.route = route if route is not None else UNROUTED
        self._path_params = path_params
        self.background = None
        self.response_headers = None
        self._header_map = None

    async def _next_chunk(self) -> bytes | None:
        """The next non-empty chunk of the body, or ``None`` once all of it arrived; 413 as
        soon as the body is (or is declared) larger than the limit; 408 when it stalls."""
        settings = self.settings
        limit = settings.max_body_size
        timeout = settings.body_timeout
        if limit is not None and not self._received:
            declared = header_of(self.scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit)
        while not self._stream_consumed:
            message = await receive_body_part(self._receive, timeout)
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
