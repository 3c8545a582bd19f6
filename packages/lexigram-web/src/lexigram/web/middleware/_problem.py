"""Answering an ASGI request with an RFC 9457 ``application/problem+json`` body."""

from __future__ import annotations

from starlette.types import Scope, Send

from lexigram.http_errors import HTTPError, render_exception

from ._request_id import request_id_of


async def send_problem(scope: Scope, send: Send, error: HTTPError) -> None:
    """Send ``error`` as a complete problem+json response, with ``instance`` (the request
    path) and the ``request_id`` extension when ``RequestIDMiddleware`` ran."""
    rendered = render_exception(
        error,
        instance=scope.get("root_path", "") + scope.get("path", ""),
        request_id=request_id_of(scope),
    )
    await send(
        {"type": "http.response.start", "status": rendered.status, "headers": rendered.headers}
    )
    await send({"type": "http.response.body", "body": rendered.body})
