"""Per-user limits key on the same client identity everywhere: the ``id`` of a mapping user,
the client named in ``X-Forwarded-For`` behind a trusted proxy, and the user a guard
authenticated (user-keyed rate limits run after the guards)."""

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect
from test_throttle import Limiter

from lexigram.http_errors import UnauthorizedError
from lexigram.web import (
    ExecutionContext,
    LexigramApp,
    RateLimiterProtocol,
    WebSocket,
    WebSocketHandler,
    throttle,
    use_guards,
    websocket_handler,
)
from lexigram.web.testing import AsyncTestClient, TestClient


class UserFromHeader:
    """Authenticates the caller named in ``X-User`` (a dict user, as the guards guide
    stores it); no header: 401."""

    def can_activate(self, context: ExecutionContext) -> bool:
        name = context.request.headers.get("x-user")
        if name is None:
            raise UnauthorizedError("who are you", www_authenticate="Bearer")
        context.scope["user"] = {"id": name, "roles": ["user"]}
        return True


@websocket_handler("/live", max_connections_per_user=1)
@use_guards(UserFromHeader)
class LiveHandler(WebSocketHandler):
    encoding = "text"

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("welcome")


@websocket_handler("/anonymous", max_connections_per_user=1)
class AnonymousHandler(WebSocketHandler):
    encoding = "text"

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("welcome")


def test_the_websocket_user_cap_counts_each_mapping_user_by_its_id() -> None:
    app = LexigramApp(controllers=[LiveHandler])
    with (
        TestClient(app) as client,
        client.websocket_connect("/live", headers={"X-User": "ann"}) as ann,
        client.websocket_connect("/live", headers={"X-User": "bob"}) as bob,
    ):
        assert (ann.receive_text(), bob.receive_text()) == ("welcome", "welcome")
        with (
            client.websocket_connect("/live", headers={"X-User": "ann"}) as again,
            pytest.raises(WebSocketDisconnect) as closed,
        ):
            again.receive_text()
    assert closed.value.code == 1013


def test_the_websocket_user_cap_behind_a_trusted_proxy_counts_the_forwarded_client() -> None:
    app = LexigramApp(controllers=[AnonymousHandler], trusted_proxies=["*"])
    with TestClient(app) as client:
        first = {"X-Forwarded-For": "203.0.113.1"}
        second = {"X-Forwarded-For": "203.0.113.2"}
        with (
            client.websocket_connect("/anonymous", headers=first) as one,
            client.websocket_connect("/anonymous", headers=second) as two,
        ):
            assert (one.receive_text(), two.receive_text()) == ("welcome", "welcome")
            with (
                client.websocket_connect("/anonymous", headers=first) as again,
                pytest.raises(WebSocketDisconnect) as closed,
            ):
                again.receive_text()
    assert closed.value.code == 1013


def _throttled_app(limiter: Limiter) -> LexigramApp:
    app = LexigramApp()
    app.container.singleton(RateLimiterProtocol, instance=limiter)

    @app.get("/orders")
    @use_guards(UserFromHeader)
    @throttle("1/minute")
    async def orders() -> dict[str, Any]:
        return {"ok": True}

    return app


async def test_throttle_by_user_keys_on_the_user_a_guard_authenticated() -> None:
    limiter = Limiter()
    async with AsyncTestClient(_throttled_app(limiter)) as client:
        ann = [(await client.get("/orders", headers={"X-User": "ann"})).status_code]
        ann.append((await client.get("/orders", headers={"X-User": "ann"})).status_code)
        bob = (await client.get("/orders", headers={"X-User": "bob"})).status_code
    assert (ann, bob) == ([200, 429], 200)
    assert [key for key, _ in limiter.log] == [
        "GET /orders:user:ann",
        "GET /orders:user:ann",
        "GET /orders:user:bob",
    ]


async def test_an_anonymous_caller_gets_the_guard_401_before_any_429() -> None:
    limiter = Limiter()
    async with AsyncTestClient(_throttled_app(limiter)) as client:
        statuses = [(await client.get("/orders")).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    assert limiter.log == []
