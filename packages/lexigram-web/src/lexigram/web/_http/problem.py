"""Answering an ASGI request with an RFC 9457 ``application/problem+json`` body.

``problem_for`` is the one place that decides a problem's members from the request: every
problem the framework renders (raised errors, ``Err`` results, middleware refusals, websocket
handshake denials) goes through it, so they all carry ``instance`` (the request path) and the
``request_id`` extension when ``RequestIDMiddleware`` ran, and ``trace_id`` when the request is
traced (tracing stores it in ``scope["state"]["trace_id"]``).
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope, Send

from lexigram.http_errors import ErrorStatusMap, HTTPError, RenderedError, render_exception

from .request_id import request_id_of

__all__ = ["as_http_error", "problem_for", "send_problem"]


def as_http_error(exc: BaseException) -> BaseException:
    """Starlette's ``HTTPException`` (raised by a library or by habit) as the ``HTTPError``
    with its status, detail and headers; any other exception unchanged."""
    if isinstance(exc, StarletteHTTPException) and 400 <= exc.status_code <= 599:
        return HTTPError(exc.status_code, exc.detail, dict(exc.headers or {}), cause=exc)
    return exc


def problem_for(
    exc: BaseException,
    scope: Scope | Any,
    *,
    status_map: ErrorStatusMap | None = None,
    debug: bool = False,
) -> RenderedError:
    """The problem+json response for ``exc`` raised (or returned) while handling ``scope``.

    ``instance`` is the request path (``scope["path"]``, which includes any ``root_path``)."""
    state: dict[str, Any] | None = scope.get("state")
    trace_id = state.get("trace_id") if state is not None else None
    return render_exception(
        as_http_error(exc),
        status_map=status_map,
        debug=debug,
        instance=scope.get("path"),
        request_id=request_id_of(scope),
        extensions={"trace_id": trace_id} if trace_id is not None else None,
    )


async def send_problem(scope: Scope, send: Send, error: HTTPError) -> None:
    """Send ``error`` as a complete problem+json response (see ``problem_for``)."""
    rendered = problem_for(error, scope)
    await send(
        {"type": "http.response.start", "status": rendered.status, "headers": rendered.headers}
    )
    await send({"type": "http.response.body", "body": rendered.body})
