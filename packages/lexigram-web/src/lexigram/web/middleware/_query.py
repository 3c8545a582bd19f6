"""Refuse or strip control characters in query strings; refuse over-long query strings."""

from __future__ import annotations

import re
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.http_errors import BadRequestError, HTTPError

from .._http.problem import send_problem

# Raw C0/DEL bytes, and percent-encoded C0 (except HT, LF, CR), DEL and UTF-8 encoded C1.
_CONTROL = re.compile(
    rb"[\x00-\x1f\x7f]|%(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f]|7[Ff])|%[Cc]2%[89][0-9A-Fa-f]"
)
_URI_TOO_LONG = 414


class QuerySanitizerMiddleware:
    """Check the query string before the application sees it.

    Longer than ``max_length`` bytes: 414 problem+json. Control characters (NUL and the
    other C0 controls except tab, LF and CR; DEL; the C1 controls), raw or percent-encoded:
    400 problem+json with ``on_control="reject"`` (the default), or removed from the query
    string with ``on_control="strip"``. ``sanitize_query_params=False`` keeps only the
    length check. Path parameters are left to the router. This is defence in depth, not a
    replacement for validating parameters in handlers.
    """

    __slots__ = ("_max_length", "_sanitize", "_strip", "app")

    def __init__(
        self,
        app: ASGIApp,
        sanitize_query_params: bool = True,
        *,
        max_length: int = 8192,
        on_control: Literal["reject", "strip"] = "reject",
    ) -> None:
        if max_length < 1:
            raise ValueError(f"max_length must be >= 1 byte, got {max_length}")
        if on_control not in ("reject", "strip"):
            raise ValueError(f"on_control must be 'reject' or 'strip', got {on_control!r}")
        self.app = app
        self._sanitize = sanitize_query_params
        self._max_length = max_length
        self._strip = on_control == "strip"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        query: bytes = scope.get("query_string", b"") if kind in ("http", "websocket") else b""
        if not query:
            await self.app(scope, receive, send)
            return
        if len(query) > self._max_length:
            detail = f"the query string is {len(query)} bytes; the limit is {self._max_length}"
            await self._refuse(scope, send, HTTPError(_URI_TOO_LONG, detail))
            return
        if self._sanitize and _CONTROL.search(query) is not None:
            if self._strip:
                scope = dict(scope)
                scope["query_string"] = _CONTROL.sub(b"", query)
            else:
                detail = "the query string contains control characters"
                await self._refuse(scope, send, BadRequestError(detail))
                return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, error: HTTPError) -> None:
        if scope["type"] == "http":
            await send_problem(scope, send, error)
        else:
            await send({"type": "websocket.close", "code": 1008})
