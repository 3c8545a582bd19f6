"""URL versioning through the real ASGI app: prefixes, deprecation headers, the registry."""

import datetime as dt
from typing import Any

from lexigram.web import (
    Controller,
    LexigramApp,
    Request,
    VersioningConfig,
    api_version,
    get,
    get_version,
    version,
)
from lexigram.web.testing import AsyncTestClient


@api_version(1, deprecated="2025-01-01", sunset="2026-06-30", link="https://docs.example/v1")
class UsersV1(Controller):
    prefix = "/users"

    @get("/{id:int}")
    async def one(self, id: int, request: Request) -> dict[str, Any]:
        return {"id": id, "shape": "v1", "version": get_version(request)}


@api_version(2)
class UsersV2(Controller):
    prefix = "/users"

    @get("/{id:int}")
    async def one(self, id: int, request: Request) -> dict[str, Any]:
        return {"user_id": id, "shape": "v2", "version": get_version(request)}

    @version("3")
    @get("/{id:int}/profile")
    async def profile(self, id: int) -> dict[str, Any]:
        return {"id": id}


async def test_controllers_are_served_under_their_version_prefix() -> None:
    app = LexigramApp(controllers=[UsersV1, UsersV2])
    async with AsyncTestClient(app) as client:
        one = await client.get("/v1/users/7")
        two = await client.get("/v2/users/7")
        bare = await client.get("/users/7")
    assert one.json() == {"id": 7, "shape": "v1", "version": "1"}
    assert two.json() == {"user_id": 7, "shape": "v2", "version": "2"}
    assert bare.status_code == 404


async def test_a_handler_version_wins_over_its_controllers() -> None:
    app = LexigramApp(controllers=[UsersV2])
    async with AsyncTestClient(app) as client:
        response = await client.get("/v3/users/5/profile")
    assert response.json() == {"id": 5}


async def test_a_deprecated_version_answers_with_deprecation_sunset_and_link() -> None:
    app = LexigramApp(controllers=[UsersV1, UsersV2])
    async with AsyncTestClient(app) as client:
        old = await client.get("/v1/users/1")
        new = await client.get("/v2/users/1")
    stamp = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    assert old.headers["deprecation"] == f"@{stamp}"
    assert old.headers["sunset"] == "Tue, 30 Jun 2026 00:00:00 GMT"
    assert old.headers["link"] == '<https://docs.example/v1>; rel="deprecation"'
    assert "deprecation" not in new.headers


async def test_deprecation_headers_are_on_error_responses_too() -> None:
    @api_version(1, deprecated=True)
    class Failing(Controller):
        @get("/boom")
        async def boom(self) -> None:
            raise RuntimeError("secret")

    app = LexigramApp(controllers=[Failing])
    async with AsyncTestClient(app) as client:
        response = await client.get("/v1/boom")
    assert response.status_code == 500
    assert response.headers["deprecation"] == "true"
    assert response.headers["content-type"] == "application/problem+json"


async def test_versions_are_listed_in_the_route_registry() -> None:
    app = LexigramApp(controllers=[UsersV1, UsersV2])
    async with AsyncTestClient(app):
        infos = {(r.method, r.path): r for r in app.routes}
        listed = app.routes.get_all_routes()
    v1 = infos[("GET", "/v1/users/{id:int}")].version
    assert v1 is not None
    assert (v1.version, v1.deprecated) == ("1", True)
    assert listed["GET /v2/users/{id:int}"]["version"] == "2"
    assert listed["GET /v3/users/{id:int}/profile"]["version"] == "3"


async def test_a_custom_url_format_and_an_explicit_prefix() -> None:
    @api_version(1)
    class Formatted(Controller):
        @get("/ping")
        async def ping(self) -> str:
            return "pong"

    @api_version(2, prefix="/next")
    class Explicit(Controller):
        @get("/ping")
        async def ping(self) -> str:
            return "pong2"

    app = LexigramApp(
        controllers=[Formatted, Explicit],
        versioning=VersioningConfig(url_format="/api/v{version}"),
    )
    async with AsyncTestClient(app) as client:
        formatted = await client.get("/api/v1/ping")
        explicit = await client.get("/next/ping")
    assert (formatted.json(), explicit.json()) == ("pong", "pong2")


async def test_get_version_on_an_unversioned_route_is_the_default_version() -> None:
    app = LexigramApp(versioning=VersioningConfig(default_version="4"))

    @app.get("/plain")
    async def plain(request: Request) -> str | None:
        return get_version(request)

    async with AsyncTestClient(app) as client:
        response = await client.get("/plain")
    assert response.json() == "4"


async def test_get_version_on_an_unversioned_route_without_a_default_is_none() -> None:
    app = LexigramApp()

    @app.get("/plain")
    async def plain(request: Request) -> dict[str, str | None]:
        return {"version": get_version(request)}

    async with AsyncTestClient(app) as client:
        response = await client.get("/plain")
    assert (response.status_code, response.json()) == (200, {"version": None})
