"""Refuse or strip control characters in query strings; refuse over-long query strings."""

from __future__ import annotations

from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.http_errors import HTTPError

from .._http.limits import QueryRules
from .._http.problem import send_problem


class QuerySanitizerMiddleware:
    """Check the query string before the application sees it.

    Longer than ``max_length`` bytes: 414 problem+json. Control characters (NUL and the
    other C0 controls except tab, LF and CR; DEL; the C1 controls), raw or percent-encoded:
    400 problem+json with ``on_control="reject"`` (the default), or removed from the query
    string with ``on_control="strip"``. ``sanitize_query_params=False`` keeps only the
    length check. Path parameters are left to the router. This is defence in depth, not a
    replacement for validating parameters in handlers. ``rules`` holds the settings.
    """

    __slots__ = ("app", "rules")

    def __init__(
        self,
        app: ASGIApp,
        sanitize_query_params: bool = True,
        *,
        max_length: int = 8192,
        on_control: Literal["reject", "strip"] = "reject",
    ) -> None:
        self.app = app
        self.rules = QueryRules(sanitize_query_params, max_length=max_length, on_control=on_control)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        query: bytes = scope.get("query_string", b"") if kind in ("http", "websocket") else b""
        if not query:
            await self.app(scope, receive, send)
            return
        verdict = self.rules.check(query)
        if isinstance(verdict, HTTPError):
            await self._refuse(scope, send, verdict)
            return
        if verdict is not None:
            scope = dict(scope)
            scope["query_string"] = verdict
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, error: HTTPError) -> None:
        if scope["type"] == "http":
            await send_problem(scope, send, error)
        else:
            await send({"type": "websocket.close", "code": 1008})
