"""``/_debug/routes``: off by default, only behind ``debug_routes_auth``, refused without it."""

import base64
from typing import Any

import pytest

from lexigram.web import (
    BasicAuthGuard,
    BearerTokenGuard,
    ConfigurationError,
    Controller,
    LexigramApp,
    WebConfig,
    WebModule,
    api_version,
    get,
)
from lexigram.web.testing import AsyncTestClient


@api_version(2, deprecated=True)
class Orders(Controller):
    prefix = "/orders"

    @get("/{id:int}")
    async def one(self, id: int) -> int:
        return id


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_debug_routes_are_not_served_by_default() -> None:
    app = LexigramApp(controllers=[Orders])
    async with AsyncTestClient(app) as client:
        response = await client.get("/_debug/routes")
    assert response.status_code == 404


async def test_enabling_debug_routes_without_auth_fails_at_startup_naming_the_fix() -> None:
    app = LexigramApp(debug_routes=True)
    with pytest.raises(ConfigurationError, match=r"set debug_routes_auth=BearerTokenGuard"):
        await app.startup()


async def test_no_credentials_is_a_401_problem_with_www_authenticate() -> None:
    app = LexigramApp(debug_routes=True, debug_routes_auth=BearerTokenGuard("s3cret"))
    async with AsyncTestClient(app) as client:
        missing = await client.get("/_debug/routes")
        wrong = await client.get("/_debug/routes", headers={"Authorization": "Bearer nope"})
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["www-authenticate"] == 'Bearer realm="lexigram-debug"'
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]


async def test_the_right_bearer_token_lists_the_compiled_routes_with_versions() -> None:
    app = LexigramApp(
        controllers=[Orders], debug_routes=True, debug_routes_auth=BearerTokenGuard("s3cret")
    )
    async with AsyncTestClient(app) as client:
        response = await client.get("/_debug/routes", headers={"Authorization": "Bearer s3cret"})
    routes = {(r["method"], r["path"]): r for r in response.json()["routes"]}
    order = routes[("GET", "/v2/orders/{id:int}")]
    assert response.status_code == 200
    assert order["name"] == "Orders.one"
    assert order["controller"] == "Orders"
    assert order["version"]["version"] == "2"
    assert order["version"]["deprecated"] is True
    assert ("GET", "/_debug/routes") in routes


async def test_basic_credentials_guard_the_routes() -> None:
    config = WebConfig(debug_routes=True, debug_routes_auth=BasicAuthGuard("ops", "pw"))
    app = LexigramApp(config=config)
    async with AsyncTestClient(app) as client:
        missing = await client.get("/_debug/routes")
        wrong = await client.get("/_debug/routes", headers={"Authorization": basic("ops", "x")})
        right = await client.get("/_debug/routes", headers={"Authorization": basic("ops", "pw")})
    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["www-authenticate"].startswith('Basic realm="lexigram-debug"')
    assert right.status_code == 200


async def test_a_plain_callable_or_a_guard_class_may_guard_the_routes() -> None:
    def allow_header(context: Any) -> bool:
        return bool(context.headers.get("x-ops") == "yes")

    class AlwaysAllow:
        def can_activate(self, context: Any) -> bool:
            return True

    callable_app = LexigramApp(debug_routes=True, debug_routes_auth=allow_header)
    guard_app = LexigramApp(debug_routes=True, debug_routes_auth=AlwaysAllow)
    async with AsyncTestClient(callable_app) as client:
        refused = await client.get("/_debug/routes")
        admitted = await client.get("/_debug/routes", headers={"X-Ops": "yes"})
    async with AsyncTestClient(guard_app) as client:
        guarded = await client.get("/_debug/routes")
    assert (refused.status_code, admitted.status_code, guarded.status_code) == (403, 200, 200)


def test_the_built_in_guards_need_credentials_to_compare_against() -> None:
    with pytest.raises(ValueError, match="non-empty token"):
        BearerTokenGuard("")
    with pytest.raises(ValueError, match="non-empty username and password"):
        BasicAuthGuard("ops", "")


async def test_a_web_provider_can_enable_and_guard_the_debug_routes() -> None:
    module = WebModule.configure(
        web_config=WebConfig(debug_routes=True),
        debug_routes_auth=BearerTokenGuard("from-provider"),
    )
    app = LexigramApp(modules=[module])
    async with AsyncTestClient(app) as client:
        refused = await client.get("/_debug/routes")
        admitted = await client.get(
            "/_debug/routes", headers={"Authorization": "Bearer from-provider"}
        )
    assert (refused.status_code, admitted.status_code) == (401, 200)
