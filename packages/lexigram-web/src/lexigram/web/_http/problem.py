"""Answering an ASGI request with an RFC 9457 ``application/problem+json`` body.

``problem_for`` is the one place that decides a problem's members from the request: every
problem the framework renders (raised errors, ``Err`` results, middleware refusals, websocket
handshake denials) goes through it, so they all carry ``instance`` (the request path) and the
``request_id`` extension when ``RequestIDMiddleware`` ran, and ``trace_id`` when the request is
traced (tracing stores it in ``scope["state"]["trace_id"]``). ``http_error_body`` gives the
same body for the common case, an ``HTTPError`` below 500 without headers of its own, in one
step.
"""

from __future__ import annotations

from typing import Any, Final

import orjson
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope, Send

from lexigram.http_errors import ErrorStatusMap, HTTPError, RenderedError, render_exception

from .request_id import REQUEST_ID_KEY, request_id_of

__all__ = ["as_http_error", "http_error_body", "problem_for", "send_problem"]

_dumps = orjson.dumps
_OPTION: Final = orjson.OPT_NON_STR_KEYS


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


def http_error_body(exc: HTTPError, scope: Scope | Any) -> bytes | None:
    """The body ``problem_for`` renders for ``exc`` (an ``HTTPError``, not a ``Redirect``,
    below 500), the same members in the same order and the same encoding, built in one step;
    ``None`` when ``exc`` has headers of its own or the body needs the renderer's fallback
    encoding (then ``problem_for`` answers)."""
    if exc.headers:
        return None
    data: dict[str, Any] = {
        "type": exc.type,
        "title": exc.title,
        "status": exc.status_code,
        "detail": exc.detail,
    }
    path = scope.get("path")
    if path is not None:
        data["instance"] = path
    if exc.code is not None:
        data["code"] = exc.code
    own = exc.extensions
    if own:
        for name, value in own.items():
            data.setdefault(name, value)
    state: dict[str, Any] | None = scope.get("state")
    if state is not None:
        request_id = state.get(REQUEST_ID_KEY)
        if request_id is not None:
            data.setdefault("request_id", request_id)
        trace_id = state.get("trace_id")
        if trace_id is not None:
            data.setdefault("trace_id", trace_id)
    try:  # plain str keys and JSON types: the same bytes without the options' cost
        return _dumps(data)
    except TypeError:  # another key or value type: the renderer's options
        pass
    try:
        return _dumps(data, default=str, option=_OPTION)
    except Exception:  # lone surrogates, ints beyond 64 bits, NaN: the renderer's fallback
        return None


async def send_problem(scope: Scope, send: Send, error: HTTPError) -> None:
    """Send ``error`` as a complete problem+json response (see ``problem_for``)."""
    rendered = problem_for(error, scope)
    await send(
        {"type": "http.response.start", "status": rendered.status, "headers": rendered.headers}
    )
    await send({"type": "http.response.body", "body": rendered.body})
