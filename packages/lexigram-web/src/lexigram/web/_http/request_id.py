"""Request ids: accepted from ``X-Request-ID`` or generated, echoed, and visible to logs."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_STATE_KEY = "request_id"
_randbytes = random.randbytes
_current: ContextVar[str | None] = ContextVar("lexigram_request_id", default=None)


def _random_id() -> str:
    # 128 random bits from the module-level generator: fast, reseeded by the random module
    # in every forked worker. Unique, but not a secret: never use a request id as a token.
    return _randbytes(16).hex()


class RequestIDMiddleware:
    """Give every HTTP/WebSocket request an id, echo it in the response, expose it to logs.

    An incoming ``header_name`` value is reused when ``trust_incoming`` is true and it is
    1-``max_length`` characters of ``A-Z a-z 0-9 - _ . : = + / @``; otherwise a random
    128-bit hex id is generated (or ``generator()`` is called). Generated ids are unique,
    not secret: pass ``generator=lambda: secrets.token_hex(16)`` if yours must be
    unguessable. The id is stored in ``scope["state"]["request_id"]`` and in a context
    variable read by ``current_request_id()`` and ``RequestIDLogFilter``.
    """

    __slots__ = ("_generator", "_header", "_pattern", "_static", "_static_names", "_trust", "app")

    def __init__(
        self,
        app: ASGIApp,
        *,
        header_name: str = "X-Request-ID",
        trust_incoming: bool = True,
        max_length: int = 128,
        generator: Callable[[], str] | None = None,
    ) -> None:
        if not 1 <= max_length <= 1024:
            raise ValueError(f"max_length must be between 1 and 1024, got {max_length}")
        self.app = app
        self._header = header_name.lower().encode("latin-1")
        self._trust = trust_incoming
        self._pattern = re.compile(rb"[A-Za-z0-9_.:=+/@-]{1,%d}" % max_length)
        self._generator = generator or _random_id
        self._static: tuple[tuple[bytes, bytes], ...] = ()
        self._static_names: frozenset[bytes] = frozenset()

    def absorb(self, inner: ASGIApp, headers: tuple[tuple[bytes, bytes], ...]) -> None:
        """Also add ``headers`` (lower-case names) to HTTP responses that lack them, in place
        of ``inner``, the middleware directly inside this one that added them; ``inner.app``
        becomes this middleware's app. One send wrapper instead of two (decided at startup)."""
        self.app = getattr(inner, "app")  # noqa: B009
        self._static = headers
        self._static_names = frozenset(name for name, _ in headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        request_id = self._incoming(scope) or self._generator()
        scope.setdefault("state", {})[_STATE_KEY] = request_id
        token = _current.set(request_id)
        try:
            if kind == "http":
                await self.app(scope, receive, self._echo(send, request_id))
            else:
                await self.app(scope, receive, send)
        finally:
            _current.reset(token)

    def _incoming(self, scope: Scope) -> str | None:
        if not self._trust:
            return None
        header = self._header
        raw: bytes
        for name, raw in scope["headers"]:
            if name == header:
                if self._pattern.fullmatch(raw):
                    return raw.decode("ascii")
                return None
        return None

    def _echo(self, send: Send, request_id: str) -> Send:
        pair = (self._header, request_id.encode("latin-1"))
        header = self._header
        static = self._static
        static_names = self._static_names

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present: set[bytes] | None = None
                for name, _ in headers:
                    lowered = name.lower()
                    if lowered == header or lowered in static_names:
                        present = {lowered} if present is None else present | {lowered}
                if present is None:
                    headers.extend(static)
                    headers.append(pair)
                else:
                    headers.extend(entry for entry in static if entry[0] not in present)
                    if header not in present:
                        headers.append(pair)
                message["headers"] = headers
            await send(message)

        return send_with_id


def current_request_id() -> str | None:
    """The id of the request being handled in this context, or ``None`` outside a request."""
    return _current.get()


def request_id_of(scope: Scope) -> str | None:
    """The request id stored in an ASGI scope by ``RequestIDMiddleware``, if any."""
    state: dict[str, Any] | None = scope.get("state")
    if state is None:
        return None
    found: str | None = state.get(_STATE_KEY)
    return found


class _HasScope(Protocol):
    @property
    def scope(self) -> Scope: ...


async def get_request_id(request: _HasScope) -> str:
    """The request id of ``request`` (usable as a handler dependency).

    Raises ``LookupError`` when ``RequestIDMiddleware`` did not run for the request.
    """
    found = request_id_of(request.scope)
    if found is None:
        raise LookupError(
            "no request id on this request: add RequestIDMiddleware to the middleware stack "
            "(DefaultMiddlewareStack includes it)"
        )
    return found


class RequestIDLogFilter(logging.Filter):
    """Set ``record.request_id`` (``"-"`` outside a request) for ``%(request_id)s`` in formats."""

    def __init__(self, name: str = "", *, default: str = "-") -> None:
        super().__init__(name)
        self._default = default

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or self._default
        return True
