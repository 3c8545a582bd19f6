"""``ProblemDetailsMiddleware``: pure ASGI, renders any uncaught exception as problem+json."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, TypeAlias, cast

from ._asgi import ASGIApp, Message, Receive, Scope, Send
from ._describe import status_of
from ._handlers import ExceptionHandlers, HandlerKey
from ._problem import ProblemDetail
from ._render import (
    RenderedError,
    error_headers,
    fallback_response,
    render_exception,
    render_problem,
)
from ._status_map import ErrorStatusMap
from ._websocket import WebSocketDisconnect, WebSocketException

__all__ = ["HandlerResult", "ProblemDetailsMiddleware", "ProblemHandler"]

logger = logging.getLogger("lexigram.http_errors")

HandlerResult: TypeAlias = ProblemDetail | ASGIApp | None
"""What a handler returns.

A problem to render, an ASGI response to run, or ``None`` for the default rendering."""
ProblemHandler: TypeAlias = Callable[
    [Scope, BaseException], HandlerResult | Awaitable[HandlerResult]
]
"""A sync or async ``handler(scope, exc)`` registered in the middleware's ``handlers``."""

_MAX_REQUEST_ID: Final = 200


def _unwrap(exc: Exception) -> Exception:
    """The single exception inside (nested) one-member exception groups, else ``exc``."""
    if isinstance(exc, ExceptionGroup):
        members = cast("tuple[Exception, ...]", exc.exceptions)  # pyright: ignore[reportUnknownMemberType]
        if len(members) == 1:
            return _unwrap(members[0])
    return exc  # pyright: ignore[reportUnknownVariableType] - an ExceptionGroup is an Exception


class ProblemDetailsMiddleware:
    """Answer every exception that escapes ``app`` with an ``application/problem+json`` response.

    The status comes from an ``HTTPError`` itself, else from ``status_map`` (a fresh
    ``ErrorStatusMap`` with the domain defaults when not given), else 500. ``handlers``
    may take over for a type or status: a handler returns a ``ProblemDetail``, an ASGI
    response (any ``(scope, receive, send)`` callable), or ``None`` for the default. With
    ``debug`` false no 5xx body carries exception text or a traceback; with ``debug`` true
    5xx bodies add ``exception`` and ``traceback`` members.

    If the response has already started, the exception is re-raised untouched (the server
    closes the connection). WebSocket exceptions close the socket with their code;
    ``WebSocketDisconnect`` is swallowed. Lifespan and other scopes pass straight through.
    ``instance`` is the request path unless ``include_instance`` is false; ``request_id`` is
    copied from the ``request_id_header`` request header when present.
    """

    __slots__ = ("_request_id_header", "app", "debug", "handlers", "include_instance", "status_map")

    def __init__(
        self,
        app: ASGIApp,
        *,
        debug: bool = False,
        status_map: ErrorStatusMap | None = None,
        handlers: ExceptionHandlers[ProblemHandler]
        | Mapping[HandlerKey, ProblemHandler]
        | None = None,
        include_instance: bool = True,
        request_id_header: str | None = "x-request-id",
    ) -> None:
        self.app = app
        self.debug = debug
        self.status_map = status_map if status_map is not None else ErrorStatusMap()
        if handlers is None or isinstance(handlers, ExceptionHandlers):
            self.handlers = handlers
        else:
            self.handlers = ExceptionHandlers(handlers)
        self.include_instance = include_instance
        self._request_id_header = (
            request_id_header.lower().encode("latin-1") if request_id_header else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as raised:
            if started:
                raise
            exc = _unwrap(raised)
            status = status_of(exc, self.status_map)
            _log(exc, status)
            rendered: RenderedError | None
            if self.handlers is None:
                rendered = self._render(scope, exc)
            else:
                rendered = await self._handle(scope, receive, send, exc, status)
            if rendered is not None:
                body = b"" if scope.get("method") == "HEAD" else rendered.body
                await send(
                    {
                        "type": "http.response.start",
                        "status": rendered.status,
                        "headers": rendered.headers,
                    }
                )
                await send({"type": "http.response.body", "body": body})

    def _render(self, scope: Scope, exc: Exception) -> RenderedError:
        return render_exception(
            exc,
            status_map=self.status_map,
            debug=self.debug,
            instance=scope.get("path") if self.include_instance else None,
            request_id=self._request_id(scope) if self._request_id_header else None,
        )

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, exc: Exception, status: int
    ) -> RenderedError | None:
        """The response to send for ``exc``; ``None`` when a handler's ASGI response ran."""
        assert self.handlers is not None
        handler = self.handlers.lookup(exc, status)
        if handler is not None:
            try:
                result = handler(scope, exc)
                if inspect.isawaitable(result):
                    result = await result
            except Exception:
                logger.exception("the exception handler %r failed", handler)
                return fallback_response()
            if isinstance(result, ProblemDetail):
                return render_problem(result, error_headers(exc))
            if result is not None:
                return await self._run_response(scope, receive, send, result)
        return self._render(scope, exc)

    async def _run_response(
        self, scope: Scope, receive: Receive, send: Send, response: ASGIApp
    ) -> RenderedError | None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await response(scope, receive, tracking_send)
        except Exception:
            if started:
                raise
            logger.exception("the response returned by an exception handler failed")
            return fallback_response()
        return None

    def _request_id(self, scope: Scope) -> str | None:
        wanted = self._request_id_header
        if wanted is None:
            return None
        for name, value in scope.get("headers", ()):
            if name == wanted:
                return bytes(value[:_MAX_REQUEST_ID]).decode("latin-1")
        return None

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        closed = False

        async def tracking_send(message: Message) -> None:
            nonlocal closed
            if message["type"] in ("websocket.close", "websocket.http.response.start"):
                closed = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except WebSocketDisconnect:
            return
        except Exception as raised:
            if closed:
                raise
            exc = _unwrap(raised)
            if isinstance(exc, WebSocketException):
                await send({"type": "websocket.close", "code": exc.code, "reason": exc.reason})
                return
            status = status_of(exc, self.status_map)
            _log(exc, status)
            await send(
                {"type": "websocket.close", "code": 1011 if status >= 500 else 1008, "reason": ""}
            )


def _log(exc: BaseException, status: int) -> None:
    if status >= 500:
        logger.error("unhandled %s answered with %d", type(exc).__name__, status, exc_info=exc)
    else:
        logger.debug("%s answered with %d", type(exc).__name__, status)
