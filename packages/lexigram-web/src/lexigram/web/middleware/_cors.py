"""Cross-origin resource sharing: preflight answers and CORS headers on actual responses."""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lexigram.http_errors import BadRequestError

from .._config.cors_rules import credentialed_origins_problem
from .._http.problem import send_problem
from ._headers import add_vary

_SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class CORSMiddleware:
    """Answer CORS preflight requests and add CORS headers to responses for allowed origins.

    ``allow_origins`` lists exact origins (``"https://app.example.com"``) or is ``["*"]``;
    ``allow_origin_regex`` matches whole origins. ``"*"`` in ``allow_methods`` or
    ``allow_headers`` allows any. ``allow_credentials=True`` is refused with ``"*"``,
    ``"null"`` or a regular expression that matches any origin: each would let every site
    read credentialed responses. A preflight for a
    disallowed origin, method or header is answered 400 problem+json; an actual request
    from a disallowed origin passes through without CORS headers (the browser blocks it).
    """

    __slots__ = (
        "_any_headers",
        "_any_method",
        "_any_origin",
        "_credentials",
        "_expose",
        "_headers",
        "_max_age",
        "_methods",
        "_methods_value",
        "_origins",
        "_regex",
        "app",
    )

    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_origins: Sequence[str] = (),
        allow_origin_regex: str | None = None,
        allow_methods: Sequence[str] = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"),
        allow_headers: Sequence[str] = (),
        allow_credentials: bool = False,
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        if isinstance(allow_origins, str):
            raise TypeError("allow_origins must be a list of origins, not a single string")
        self._any_origin = "*" in allow_origins
        if allow_credentials:
            problem = credentialed_origins_problem(allow_origins, allow_origin_regex)
            if problem is not None:
                raise ValueError("CORS: " + problem)
        if max_age < 0:
            raise ValueError(f"CORS: max_age must be >= 0, got {max_age}")
        for header in (*allow_headers, *expose_headers):
            if header != "*" and not _TOKEN.fullmatch(header):
                raise ValueError(f"CORS: {header!r} is not a valid header name")
        self.app = app
        self._origins = frozenset(o.rstrip("/").lower() for o in allow_origins if o != "*")
        self._regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        methods = {m.upper() for m in allow_methods}
        self._any_method = "*" in methods
        self._methods = frozenset(methods - {"*"})
        self._methods_value = ", ".join(sorted(self._methods)).encode("ascii")
        self._any_headers = "*" in allow_headers
        self._headers = _SAFELISTED_HEADERS | {h.lower() for h in allow_headers if h != "*"}
        self._credentials = allow_credentials
        self._expose = ", ".join(expose_headers).encode("latin-1") if expose_headers else b""
        self._max_age = str(max_age).encode("ascii")

    def _allowed(self, origin: str) -> bool:
        if self._any_origin:
            return True
        if origin.lower() in self._origins:
            return True
        return self._regex is not None and self._regex.fullmatch(origin) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin: bytes | None = None
        request_method: bytes | None = None
        request_headers = b""
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                request_method = value
            elif name == b"access-control-request-headers":
                request_headers = value
        if origin is None:
            await self.app(scope, receive, send)
            return
        origin_text = origin.decode("latin-1")
        if scope["method"] == "OPTIONS" and request_method is not None:
            await self._preflight(scope, send, origin_text, request_method, request_headers)
            return
        if not self._allowed(origin_text):
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self._decorate(send, origin))

    def _allow_origin_value(self, origin: bytes) -> bytes:
        return b"*" if self._any_origin else origin

    async def _preflight(
        self, scope: Scope, send: Send, origin: str, method: bytes, requested: bytes
    ) -> None:
        problem: str | None = None
        method_text = method.decode("latin-1").strip().upper()
        wanted = [h.strip().lower() for h in requested.decode("latin-1").split(",") if h.strip()]
        if not self._allowed(origin):
            problem = f"CORS preflight refused: origin {origin!r} is not allowed"
        elif not self._any_method and method_text not in self._methods:
            problem = f"CORS preflight refused: method {method_text!r} is not allowed"
        elif not self._any_headers:
            refused = [h for h in wanted if h not in self._headers]
            if refused:
                problem = f"CORS preflight refused: header(s) {', '.join(refused)} not allowed"
        if problem is not None:
            await send_problem(scope, send, BadRequestError(problem, headers=[("Vary", "Origin")]))
            return
        headers: list[tuple[bytes, bytes]] = [
            (b"access-control-allow-origin", self._allow_origin_value(origin.encode("latin-1"))),
            (
                b"access-control-allow-methods",
                method.strip().upper() if self._any_method else self._methods_value,
            ),
            (b"access-control-max-age", self._max_age),
            (b"vary", b"Origin"),
        ]
        if wanted:
            headers.append((b"access-control-allow-headers", ", ".join(wanted).encode("latin-1")))
        if self._credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def _decorate(self, send: Send, origin: bytes) -> Send:
        added: list[tuple[bytes, bytes]] = [
            (b"access-control-allow-origin", self._allow_origin_value(origin))
        ]
        if self._credentials:
            added.append((b"access-control-allow-credentials", b"true"))
        if self._expose:
            added.append((b"access-control-expose-headers", self._expose))
        vary = not self._any_origin

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (n, v)
                    for n, v in message.get("headers", ())
                    if not n.lower().startswith(b"access-control-allow-")
                ]
                headers.extend(added)
                if vary:
                    add_vary(headers, b"Origin")
                message["headers"] = headers
            await send(message)

        return send_with_cors
