"""Turning an exception into the response: exception filters first, problem+json fallback."""

from __future__ import annotations

import logging
from typing import Any, Final

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Message, Scope, Send

from lexigram.http_errors import (
    ErrorStatusMap,
    ExceptionHandlers,
    HTTPError,
    Redirect,
)

from .._http.context import RouteInfo
from .._http.error_log import ServerErrorLog
from .._http.problem import as_http_error, problem_for
from .._http.render import Renderer, ResponseAborted, joined
from .._http.request import Request
from .._http.response_model import ResponseValidationError
from .._http.settings import RequestSettings
from .._observe.observation import note_server_error
from .filters import ErrorHandler

__all__ = ["ErrorResponder", "filter_headers", "log_server_error", "send_problem", "status_for"]

_log = logging.getLogger("lexigram.web")


def log_server_error(
    exc: BaseException,
    status: int,
    method: str,
    path: str,
    error_log: ServerErrorLog | None = None,
) -> None:
    """Log a failure answered with a 5xx ``status``: an ``HTTPError`` the app raised on
    purpose (a 503 connection limit, ...) at WARNING without a traceback, anything else (an
    unexpected exception) at ERROR with its traceback; an answer that does not match the
    route's response model at ERROR, in one line naming the route template and the fields.
    With the app's ``error_log`` (and ``path`` a route template), a repeating failure is
    logged once per interval. The request's observation (tracing) records ``exc`` as its
    failure."""
    note_server_error(exc)
    exc = as_http_error(exc)
    if error_log is not None:
        error_log.log(exc, status, method, path)
        return
    if isinstance(exc, ResponseValidationError):
        _log.error("%s %s answered 500: %s", method, path, exc)
        return
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


def filter_headers(
    result: Any, exc: BaseException, ctx: Request
) -> list[tuple[bytes, bytes]] | None:
    """The headers for a filter's plain-value answer: the error's own (``Allow``,
    ``WWW-Authenticate``, ``Retry-After``, ...) and the request's ``response_headers``. A
    ``Response`` the filter built is sent as it is."""
    extra = ctx.response_headers
    if not isinstance(exc, HTTPError) or not exc.headers or isinstance(result, Response):
        return extra
    own = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in exc.headers]
    return joined(own, extra, ctx) if extra else own


class ErrorResponder:
    """Turns an exception into the response: the first matching exception filter (by type,
    then status code), else problem+json. One per route, and one per app for the requests no
    route answers (400, 404, 405)."""

    __slots__ = ("debug", "filters", "renderer", "status_map")

    renderer: Renderer
    """Renders a filter's answer: without the route's ``response_model`` (a filter's value
    describes the error, not the route's success)."""

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

    async def respond(self, ctx: Request, exc: Exception, send: Send) -> None:
        """Answer ``exc``, raised while handling ``ctx``."""
        if (
            isinstance(exc, HTTPError)
            and self.filters is None
            and exc.status_code < 500
            and not isinstance(exc, _NOT_PLAIN)
        ):
            # an HTTPError no filter answers and nothing logs: its problem, sent at once
            rendered = problem_for(exc, ctx.scope, status_map=self.status_map, debug=self.debug)
            headers = rendered.headers
            extra = ctx.response_headers
            if extra:
                defaults = ctx.settings.defaults
                if not exc.headers and (defaults is None or defaults.clear_of_problems):
                    headers = [*headers, *extra]  # content-type, content-length, the defaults
                else:
                    headers = joined(headers, extra, ctx)
            await send(
                {"type": "http.response.start", "status": rendered.status, "headers": headers}
            )
            await send({"type": "http.response.body", "body": rendered.body})
            return
        if isinstance(exc, ClientDisconnect):
            _log.debug("client disconnected during %s %s", ctx.method, ctx.path)
            return
        if isinstance(exc, ResponseAborted):
            # the status and headers are out: return without completing the body, so the
            # server closes the connection and the client sees a truncated response
            method = ctx.scope.get("method", "")
            log_server_error(exc.cause, 500, method, ctx.route.path, ctx.settings.error_log)
            return
        status = status_for(exc, self.status_map)
        handler = self.filters.lookup(exc, status) if self.filters is not None else None
        if handler is not None:
            await self._filtered(handler, ctx, exc, status, send)
            return
        _log_failure(exc, status, ctx)
        scope = ctx.scope
        # send_problem's two sends, without two more coroutine frames per error
        rendered = problem_for(exc, scope, status_map=self.status_map, debug=self.debug)
        extra = ctx.response_headers
        headers = joined(rendered.headers, extra, ctx) if extra else rendered.headers
        await send({"type": "http.response.start", "status": rendered.status, "headers": headers})
        await send({"type": "http.response.body", "body": rendered.body})

    async def respond_unrouted(
        self, scope: Scope, send: Send, exc: Exception, settings: RequestSettings
    ) -> None:
        """Answer ``exc`` for a request no route answers; a request object is built only when
        an exception filter wants one."""
        status = status_for(exc, self.status_map)
        handler = self.filters.lookup(exc, status) if self.filters is not None else None
        defaults = settings.defaults
        extra = defaults.seed(scope) if defaults is not None else None
        if handler is None:
            if status >= 500:
                method = scope.get("method", "")
                log_server_error(exc, status, method, "(no route)", settings.error_log)
            await self._problem(exc, status, scope, send, extra)
            return
        route = RouteInfo(
            method=scope.get("method", ""), path=scope["path"], name="", handler=handler
        )
        ctx = Request(scope, _no_receive, send, settings=settings, route=route)
        ctx.response_headers = extra
        await self._filtered(handler, ctx, exc, status, send)

    async def _filtered(
        self, handler: ErrorHandler, ctx: Request, exc: Exception, status: int, send: Send
    ) -> None:
        try:
            result = await handler(ctx, exc)
            headers = ctx.response_headers
            # the error's own headers (Allow, WWW-Authenticate, ...) go with the filter's answer
            ctx.response_headers = filter_headers(result, exc, ctx)
            try:
                await self.renderer.send(result, ctx, send, status)
            finally:
                ctx.response_headers = headers
        except Exception as inner:
            _log.exception("exception handler for %s failed", type(exc).__name__)
            inner_status = status_for(inner, self.status_map)
            _log_failure(inner, inner_status, ctx)
            await self._problem(inner, inner_status, ctx.scope, send, ctx.response_headers)

    async def _problem(
        self,
        exc: Exception,
        status: int,
        scope: Scope,
        send: Send,
        headers: list[tuple[bytes, bytes]] | None,
    ) -> None:
        await send_problem(
            send, exc, scope=scope, status_map=self.status_map, debug=self.debug, extra=headers
        )


_NOT_PLAIN: Final = (Redirect, ClientDisconnect, ResponseAborted)
"""What ``respond`` never answers with an ``HTTPError``'s problem straight away."""


def _log_failure(exc: Exception, status: int, ctx: Request) -> None:
    """Log a 5xx answer, keyed on the route's template in the app's error log."""
    if status >= 500:
        method = ctx.scope.get("method", "")
        log_server_error(exc, status, method, ctx.route.path, ctx.settings.error_log)


async def _no_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
