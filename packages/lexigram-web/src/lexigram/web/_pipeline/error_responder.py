"""Turning an exception into the response: exception filters first, problem+json fallback."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Send

from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers, HTTPError

from .._http.context import ExecutionContext
from .._http.problem import as_http_error, problem_for
from .._http.render import Renderer
from .._http.response_model import ResponseValidationError
from .filters import ErrorHandler

__all__ = ["ErrorResponder", "log_server_error", "send_problem", "status_for"]

_log = logging.getLogger("lexigram.web")


def log_server_error(exc: BaseException, status: int, method: str, path: str) -> None:
    """Log a failure answered with a 5xx ``status``: an ``HTTPError`` the app raised on
    purpose (a 503 connection limit, ...) at WARNING without a traceback, anything else (an
    unexpected exception) at ERROR with its traceback; an answer that does not match the
    route's response model at ERROR, in one line naming the route template and the fields."""
    if isinstance(exc, ResponseValidationError):
        _log.error("%s %s answered 500: %s", method, path, exc)
        return
    exc = as_http_error(exc)
    if isinstance(exc, HTTPError):
        detail = f": {exc.detail}" if exc.detail else ""
        _log.warning("%s %s answered %d (%s%s)", method, path, status, type(exc).__name__, detail)
        return
    _log.error("unhandled %s in %s %s", type(exc).__name__, method, path, exc_info=exc)


def status_for(exc: BaseException, status_map: ErrorStatusMap | None) -> int:
    if isinstance(exc, HTTPError):
        return exc.status_code
    if isinstance(exc, StarletteHTTPException) and 400 <= exc.status_code <= 599:
        return exc.status_code
    status = status_map.lookup(type(exc)) if status_map is not None else None
    return 500 if status is None else status


async def send_problem(
    send: Send,
    exc: BaseException,
    *,
    scope: Any,
    status_map: ErrorStatusMap | None,
    debug: bool,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Send ``exc`` as problem+json (5xx without internals unless ``debug``)."""
    rendered = problem_for(exc, scope, status_map=status_map, debug=debug)
    headers = rendered.headers + extra if extra else rendered.headers
    await send({"type": "http.response.start", "status": rendered.status, "headers": headers})
    await send({"type": "http.response.body", "body": rendered.body})


class ErrorResponder:
    """Per-route error handling: the route's filter chain, then the problem renderer."""

    __slots__ = ("debug", "filters", "renderer", "status_map")

    def __init__(
        self,
        filters: ExceptionHandlers[ErrorHandler] | None,
        status_map: ErrorStatusMap,
        renderer: Renderer,
        debug: bool,
    ) -> None:
        self.filters = filters
        self.status_map = status_map
        self.renderer = renderer.without_model()
        self.debug = debug

    async def respond(self, ctx: ExecutionContext, exc: Exception) -> None:
        if isinstance(exc, ClientDisconnect):
            _log.debug("client disconnected during %s %s", ctx.method, ctx.path)
            return
        status = status_for(exc, self.status_map)
        filters = self.filters
        if filters is not None:
            handler = filters.lookup(exc, status)
            if handler is not None:
                try:
                    result = await handler(ctx, exc)
                    await self.renderer.send(
                        result, ctx.send, ctx.scope, ctx.receive, ctx.response_headers, status
                    )
                    return
                except Exception as inner:
                    _log.exception("exception handler for %s failed", type(exc).__name__)
                    exc = inner
                    status = status_for(exc, self.status_map)
        if status >= 500:
            log_server_error(exc, status, ctx.scope.get("method", ""), ctx.scope.get("path", ""))
        await send_problem(
            ctx.send,
            exc,
            scope=ctx.scope,
            status_map=self.status_map,
            debug=self.debug,
            extra=ctx.response_headers,
        )
