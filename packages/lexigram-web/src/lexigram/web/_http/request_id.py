"""Request ids: accepted from ``X-Request-ID`` or generated, echoed, and visible to logs."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_KEY: Final = "request_id"
"""The ``scope["state"]`` key of the request id."""
_STATE_KEY: Final = REQUEST_ID_KEY
_getrandbits = random.getrandbits
_current: ContextVar[str | None] = ContextVar("lexigram_request_id", default=None)


class _CurrentRequest(Protocol):
    @property
    def scope(self) -> Scope: ...

    background: Any


CURRENT_REQUEST: ContextVar[Any] = ContextVar("lexigram_request", default=None)
"""The request an app's route pipeline is handling (its ``ExecutionContext``), set by the
pipeline for each HTTP request (see ``_http.background``); its request id is the current one."""


def random_id() -> str:
    """A random 128-bit id in 32 hex digits: from the module-level generator of ``random``
    (fast, and reseeded in every forked worker). Unique, but not a secret: never use a
    request id as a token."""
    return _getrandbits(128).to_bytes(16).hex()


class RequestIds:
    """How requests get their id: an incoming ``header_name`` value is reused when
    ``trust_incoming`` is true and it is 1-``max_length`` characters of
    ``A-Z a-z 0-9 - _ . : = + / @``; otherwise ``generator()`` makes one (a random 128-bit
    hex id by default). ``header`` is the header name, encoded in lower case."""

    __slots__ = ("generator", "header", "pattern", "trust")

    def __init__(
        self,
        *,
        header_name: str = "X-Request-ID",
        trust_incoming: bool = True,
        max_length: int = 128,
        generator: Callable[[], str] | None = None,
    ) -> None:
        if not 1 <= max_length <= 1024:
            raise ValueError(f"max_length must be between 1 and 1024, got {max_length}")
        self.header = header_name.lower().encode("latin-1")
        self.trust = trust_incoming
        self.pattern = re.compile(rb"[A-Za-z0-9_.:=+/@-]{1,%d}" % max_length)
        self.generator = generator or random_id

    def incoming(self, scope: Scope) -> bytes | None:
        """The first ``header`` value of the request (``None`` when untrusted or absent)."""
        if not self.trust:
            return None
        header = self.header
        raw: bytes
        for name, raw in scope["headers"]:
            if name == header:
                return raw
        return None

    def choose(self, incoming: bytes | None) -> str:
        """The id of a request that sent ``incoming`` (a trusted header value, or ``None``)."""
        if incoming is not None and self.trust and self.pattern.fullmatch(incoming):
            return incoming.decode("ascii")
        return self.generator()


def set_request_id(scope: Scope, request_id: str) -> None:
    """Store ``request_id`` in ``scope["state"]`` (``request_id_of`` reads it back)."""
    state: dict[str, Any] | None = scope.get("state")
    if state is None:
        scope["state"] = state = {}
    state[_STATE_KEY] = request_id


class RequestIDMiddleware:
    """Give every HTTP/WebSocket request an id, echo it in the response, expose it to logs.

    An incoming ``header_name`` value is reused when ``trust_incoming`` is true and it is
    1-``max_length`` characters of ``A-Z a-z 0-9 - _ . : = + / @``; otherwise a random
    128-bit hex id is generated (or ``generator()`` is called). Generated ids are unique,
    not secret: pass ``generator=lambda: secrets.token_hex(16)`` if yours must be
    unguessable. The id is stored in ``scope["state"]["request_id"]`` and in a context
    variable read by ``current_request_id()`` and ``RequestIDLogFilter``. ``ids`` holds the
    settings (a ``LexigramApp`` applies them in its dispatcher, without this layer, when
    nothing else of its stack stands between them).
    """

    __slots__ = ("_static", "_static_names", "app", "ids")

    def __init__(
        self,
        app: ASGIApp,
        *,
        header_name: str = "X-Request-ID",
        trust_incoming: bool = True,
        max_length: int = 128,
        generator: Callable[[], str] | None = None,
    ) -> None:
        self.app = app
        self.ids = RequestIds(
            header_name=header_name,
            trust_incoming=trust_incoming,
            max_length=max_length,
            generator=generator,
        )
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
        ids = self.ids
        request_id = ids.choose(ids.incoming(scope))
        set_request_id(scope, request_id)
        token = _current.set(request_id)
        try:
            if kind == "http":
                await self.app(scope, receive, self._echo(send, request_id))
            else:
                await self.app(scope, receive, send)
        finally:
            _current.reset(token)

    def _echo(self, send: Send, request_id: str) -> Send:
        header = self.ids.header
        pair = (header, request_id.encode("latin-1"))
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


@contextmanager
def request_id_context(request_id: str | None) -> Generator[None]:
    """``current_request_id()`` answers ``request_id`` inside the block."""
    if request_id is None:
        yield
        return
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


def current_request_id() -> str | None:
    """The id of the request being handled in this context, or ``None`` outside a request.

    Inside an app's route that is the id of the request its pipeline handles (no context
    variable is set per request for it: the pipeline's current request carries it)."""
    found = _current.get()
    if found is not None:
        return found
    request: _CurrentRequest | None = CURRENT_REQUEST.get()
    if request is None:
        return None
    return request_id_of(request.scope)


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
        record.request_id = current_request_id() or self._default
        return True
