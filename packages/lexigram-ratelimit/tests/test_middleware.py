"""The ASGI middleware around a hand-written app, driven by a hand-written client."""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from lexigram.ratelimit import RateLimiter, RateLimitMiddleware

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
App = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


async def hello(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


class Response:
    def __init__(self, messages: list[Message]) -> None:
        start = messages[0]
        self.status: int = start["status"]
        self.headers: list[tuple[str, str]] = [
            (name.decode(), value.decode()) for name, value in start["headers"]
        ]
        self.body = b"".join(m.get("body", b"") for m in messages[1:])

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def json(self) -> Any:
        return json.loads(self.body)


async def get(app: App, path: str = "/items", client: str = "10.0.0.1", **extra: Any) -> Response:
    scope: Scope = {"type": "http", "method": "GET", "path": path, "headers": [],
                    "client": (client, 5000), **extra}  # fmt: skip
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return Response(sent)


async def test_a_denied_request_gets_a_429_problem_json() -> None:
    app = RateLimitMiddleware(hello, RateLimiter(algorithm="fixed_window"), rate="2/minute")
    await get(app)
    await get(app)
    response = await get(app)
    assert response.status == 429
    assert response.header("content-type") == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Rate limit 2/minute exceeded; retry in 60 seconds.",
        "instance": "/items",
    }
    assert response.header("content-length") == str(len(response.body))


async def test_a_denied_response_carries_retry_after_and_ietf_headers() -> None:
    app = RateLimitMiddleware(hello, RateLimiter(algorithm="fixed_window"), rate="1/minute")
    await get(app)
    response = await get(app)
    assert response.header("retry-after") == "60"
    assert response.header("ratelimit-policy") == '"default";q=1;w=60'
    assert response.header("ratelimit") == '"default";r=0;t=60'


async def test_allowed_responses_carry_the_headers_too() -> None:
    app = RateLimitMiddleware(hello, RateLimiter(algorithm="fixed_window"), rate="5/minute")
    response = await get(app)
    assert response.status == 200
    assert response.body == b"hello"
    assert response.header("content-type") == "text/plain"
    assert response.header("ratelimit") == '"default";r=4;t=60'


async def test_headers_on_allowed_responses_can_be_turned_off() -> None:
    limiter = RateLimiter(headers_on_allowed=False)
    response = await get(RateLimitMiddleware(hello, limiter, rate="5/minute"))
    assert response.header("ratelimit") is None


async def test_the_dialect_is_selectable() -> None:
    limiter = RateLimiter(headers="draft06", algorithm="fixed_window")
    response = await get(RateLimitMiddleware(hello, limiter, rate="5/minute"))
    assert response.header("ratelimit-limit") == "5"
    assert response.header("ratelimit-remaining") == "4"


async def test_the_default_rate_is_enforced_without_a_rate() -> None:
    app = RateLimitMiddleware(hello, RateLimiter(default_rate="1/minute"))
    first = await get(app)
    second = await get(app, "/other")
    assert (first.status, second.status) == (200, 429)


async def test_excluded_paths_are_never_limited() -> None:
    app = RateLimitMiddleware(hello, RateLimiter(default_rate="1/minute"))
    statuses = [(await get(app, "/health")).status for _ in range(3)]
    assert statuses == [200, 200, 200]


async def test_an_explicit_exclude_replaces_the_limiter_one() -> None:
    limiter = RateLimiter(default_rate="1/minute")
    app = RateLimitMiddleware(hello, limiter, exclude=["/public"])
    await get(app, "/public/a")
    await get(app, "/health")
    assert (await get(app, "/health")).status == 429


async def test_paths_restricts_the_limit_to_some_paths() -> None:
    app = RateLimitMiddleware(hello, rate="1/minute", paths=["/login"])
    await get(app, "/login")
    assert (await get(app, "/items")).status == 200
    assert (await get(app, "/login")).status == 429


async def test_clients_are_limited_separately_by_ip() -> None:
    app = RateLimitMiddleware(hello, rate="1/minute")
    await get(app, client="10.0.0.1")
    assert (await get(app, client="10.0.0.2")).status == 200
    assert (await get(app, client="10.0.0.1")).status == 429


async def test_a_key_function_picks_the_identity() -> None:
    def by_user(scope: Scope) -> str | None:
        return dict(scope["headers"]).get(b"x-user", b"").decode() or None

    app = RateLimitMiddleware(hello, rate="1/minute", key=by_user)
    alice = [(b"x-user", b"alice")]
    await get(app, headers=alice)
    assert (await get(app, headers=alice)).status == 429
    assert (await get(app)).status == 200
    assert (await get(app)).status == 200


async def test_an_async_key_function_is_awaited() -> None:
    async def tenant(scope: Scope) -> str:
        return "tenant-1"

    app = RateLimitMiddleware(hello, rate="1/minute", key=tenant)
    await get(app, client="1.1.1.1")
    assert (await get(app, client="2.2.2.2")).status == 429


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    middleware = RateLimitMiddleware(app, rate="1/minute")
    for _ in range(3):
        await middleware({"type": "websocket", "path": "/ws"}, _never, _ignore)
    await middleware({"type": "lifespan"}, _never, _ignore)
    assert seen == ["websocket"] * 3 + ["lifespan"]


async def _never() -> Message:
    raise AssertionError("receive is not called")


async def _ignore(message: Message) -> None:
    return None


def test_a_rate_is_required_at_construction() -> None:
    with pytest.raises(ValueError, match="default_rate"):
        RateLimitMiddleware(hello, RateLimiter())


def test_a_malformed_rate_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="'<count>/<period>'"):
        RateLimitMiddleware(hello, rate="fast")


def test_cost_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="cost"):
        RateLimitMiddleware(hello, rate="1/minute", cost=0)
