"""Plain ASGI middleware enforcing one rate (by default the limiter's default rate)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, cast

from ._algorithm import Algorithm
from ._limiter import RateLimiter
from ._paths import PathMatcher
from ._problem import PROBLEM_JSON, too_many_requests
from ._rate import Rate

__all__ = ["RateLimitMiddleware", "client_ip"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
KeyFunction = Callable[[Scope], str | None] | Callable[[Scope], Awaitable[str | None]]


def client_ip(scope: Scope) -> str:
    """The peer address of the connection (``scope["client"]``), ``"-"`` when unknown.

    Behind a proxy, pass a key function that reads the header your proxy sets.
    """
    client = scope.get("client")
    return str(client[0]) if client else "-"


class RateLimitMiddleware:
    """Limits HTTP requests of any ASGI app (plain Starlette included).

    - ``limiter``: a ``RateLimiter`` (a memory one by default);
    - ``rate``: the rate enforced; defaults to ``limiter.default_rate`` (one of them is
      required: ``ValueError`` at construction otherwise);
    - ``key``: ``scope -> str | None`` (sync or async), the identity limited (client IP by
      default); ``None`` lets the request through unlimited;
    - ``exclude``: paths never limited (defaults to ``limiter.exclude``: health and docs);
      ``paths``: when given, only these paths are limited;
    - ``cost``: units consumed per request.

    A denied request gets a 429 ``application/problem+json`` body with ``Retry-After`` and
    the limiter's rate-limit headers; allowed responses carry the headers too unless the
    limiter has ``headers_on_allowed=False``. WebSocket and lifespan events pass through.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter | None = None,
        *,
        rate: str | Rate | None = None,
        key: KeyFunction = client_ip,
        exclude: Sequence[str] | None = None,
        paths: Sequence[str] | None = None,
        cost: int = 1,
        algorithm: Algorithm | None = None,
        key_prefix: str = "asgi:",
        problem_type: str = "about:blank",
    ) -> None:
        self.app = app
        self.limiter = limiter if limiter is not None else RateLimiter()
        if rate is None:
            policy = self.limiter.default_policy
            if policy is None:
                raise ValueError(
                    "RateLimitMiddleware needs a rate: pass rate='100/minute' or a "
                    "RateLimiter(default_rate=...)"
                )
            if algorithm is not None:
                policy = self.limiter.policy(policy.rate, algorithm=algorithm)
        else:
            policy = self.limiter.policy(rate, algorithm=algorithm)
        if cost < 1:
            raise ValueError(f"cost must be >= 1, got {cost}")
        self.policy = policy
        self._rate_text = str(policy.rate)
        self._excluded: Callable[[str], bool] = (
            self.limiter.is_excluded if exclude is None else PathMatcher(exclude)
        )
        self._only = PathMatcher(paths) if paths is not None else None
        self._key = key
        self._key_is_async = inspect.iscoroutinefunction(key)
        self._prefix = key_prefix
        self._cost = cost
        self._problem_type = problem_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self._excluded(path) or (self._only is not None and not self._only(path)):
            await self.app(scope, receive, send)
            return
        if self._key_is_async:
            ident = await cast(Callable[[Scope], Awaitable[str | None]], self._key)(scope)
        else:
            ident = cast(Callable[[Scope], str | None], self._key)(scope)
        if ident is None:
            await self.app(scope, receive, send)
            return
        decision = await self.policy.hit(self._prefix + ident, self._cost)
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.policy.headers(decision)
        ]
        if not decision.allowed:
            body = too_many_requests(
                decision, self._rate_text, instance=path, type_=self._problem_type
            )
            headers.append((b"content-type", PROBLEM_JSON.encode()))
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if not headers:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
