"""Header, query and media-type versioning: same-path routes dispatched by a per-path table."""

from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from lexigram.web import (
    ConfigurationError,
    Controller,
    LexigramApp,
    Request,
    VersioningConfig,
    WebSocket,
    api_version,
    get,
    get_version,
    post,
    websocket,
)
from lexigram.web._versioning import extract as extract_module
from lexigram.web.testing import AsyncTestClient, TestClient


@api_version(1, deprecated=True)
class ItemsV1(Controller):
    prefix = "/items"

    @get("")
    async def list(self) -> dict[str, Any]:
        return {"v": 1}


@api_version(2)
class ItemsV2(Controller):
    prefix = "/items"

    @get("")
    async def list(self, request: Request) -> dict[str, Any]:
        return {"v": 2, "seen": get_version(request)}

    @post("")
    async def create(self) -> dict[str, Any]:
        return {"created": 2}


def make_app(**options: Any) -> LexigramApp:
    return LexigramApp(controllers=[ItemsV1, ItemsV2], versioning=VersioningConfig(**options))


async def test_the_header_strategy_picks_the_route_of_the_named_version() -> None:
    app = make_app(strategy="header")
    async with AsyncTestClient(app) as client:
        one = await client.get("/items", headers={"X-API-Version": "1"})
        two = await client.get("/items", headers={"X-API-Version": "v2"})
    assert one.json() == {"v": 1}
    assert one.headers["deprecation"] == "true"
    assert two.json() == {"v": 2, "seen": "2"}
    assert two.headers["vary"] == "X-API-Version"


async def test_the_query_strategy_reads_the_version_parameter() -> None:
    app = make_app(strategy="query")
    async with AsyncTestClient(app) as client:
        one = await client.get("/items?version=1")
        two = await client.get("/items", params={"version": "2", "other": "x"})
    assert (one.json()["v"], two.json()["v"]) == (1, 2)


async def test_the_media_type_strategy_reads_vendor_types_and_version_parameters() -> None:
    app = make_app(strategy="media_type")
    async with AsyncTestClient(app) as client:
        vendor = await client.get("/items", headers={"Accept": "application/vnd.lexigram.v2+json"})
        param = await client.get("/items", headers={"Accept": "application/json; version=1"})
    assert (vendor.json()["v"], param.json()["v"]) == (2, 1)
    assert vendor.headers["vary"] == "Accept"


async def test_a_request_without_a_version_gets_the_default_version() -> None:
    app = make_app(strategy="header", default_version="2")
    async with AsyncTestClient(app) as client:
        response = await client.get("/items")
    assert response.json() == {"v": 2, "seen": "2"}


async def test_a_request_without_a_version_and_no_default_is_a_400_naming_the_header() -> None:
    app = make_app(strategy="header")
    async with AsyncTestClient(app) as client:
        response = await client.get("/items")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-API-Version" in response.json()["detail"]


async def test_an_unknown_version_is_a_404_problem_listing_the_available_ones() -> None:
    app = make_app(strategy="header")
    async with AsyncTestClient(app) as client:
        response = await client.get("/items", headers={"X-API-Version": "9"})
    body = response.json()
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert body["available_versions"] == ["1", "2"]
    assert "'9'" in body["detail"]


async def test_the_unknown_version_status_can_be_400() -> None:
    app = make_app(strategy="query", unknown_version_status=400)
    async with AsyncTestClient(app) as client:
        response = await client.get("/items?version=7")
    assert response.status_code == 400
    assert response.json()["status"] == 400


async def test_a_version_served_on_another_method_only_is_unknown_for_this_one() -> None:
    app = make_app(strategy="header")
    async with AsyncTestClient(app) as client:
        response = await client.post("/items", headers={"X-API-Version": "1"})
    assert response.status_code == 404


async def test_an_unversioned_route_on_a_versioned_path_answers_other_versions() -> None:
    class Neutral(Controller):
        prefix = "/items"

        @get("")
        async def list(self, request: Request) -> dict[str, Any]:
            return {"neutral": get_version(request)}

    app = LexigramApp(
        controllers=[ItemsV1, Neutral], versioning=VersioningConfig(strategy="header")
    )
    async with AsyncTestClient(app) as client:
        one = await client.get("/items", headers={"X-API-Version": "1"})
        other = await client.get("/items", headers={"X-API-Version": "5"})
    assert one.json() == {"v": 1}
    assert other.json() == {"neutral": "5"}


async def test_unversioned_paths_are_routed_directly() -> None:
    app = make_app(strategy="header")

    @app.get("/plain")
    async def plain() -> str:
        return "ok"

    async with AsyncTestClient(app) as client:
        response = await client.get("/plain", headers={"X-API-Version": "42"})
    assert response.json() == "ok"
    assert "vary" not in response.headers


async def test_two_routes_for_one_version_and_path_fail_at_startup() -> None:
    @api_version(2)
    class Duplicate(Controller):
        prefix = "/items"

        @get("")
        async def again(self) -> None: ...

    app = LexigramApp(
        controllers=[ItemsV2, Duplicate], versioning=VersioningConfig(strategy="header")
    )
    with pytest.raises(ConfigurationError, match="for version '2'"):
        await app.startup()


async def test_the_version_reader_is_built_at_startup_and_read_once_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(strategy="header")
    built: list[str] = []
    reads: list[str | None] = []
    original = extract_module._header_reader  # pyright: ignore[reportPrivateUsage]

    def counting_builder(name: str) -> Any:
        built.append(name)
        read = original(name)

        def reader(scope: Any) -> str | None:
            found = read(scope)
            reads.append(found)
            return found

        return reader

    monkeypatch.setattr(extract_module, "_header_reader", counting_builder)
    async with AsyncTestClient(app) as client:
        for number in ("1", "2", "2"):
            await client.get("/items", headers={"X-API-Version": number})
    assert built == ["X-API-Version"]
    assert reads == ["1", "2", "2"]


async def test_unversioned_routes_keep_their_compiled_endpoint_unwrapped() -> None:
    app = make_app(strategy="header")

    @app.get("/plain")
    async def plain() -> str:
        return "ok"

    async with AsyncTestClient(app):
        compiled = app._compiled  # pyright: ignore[reportPrivateUsage]
        assert compiled is not None
        plain_endpoint = compiled.router.static_routes["/plain"]["GET"]
        items_endpoint = compiled.router.static_routes["/items"]["GET"]
    assert plain_endpoint.__name__ == "endpoint"
    assert items_endpoint.__name__ == "dispatch"


def test_a_websocket_asking_for_an_unknown_version_is_closed_with_1008() -> None:
    @api_version(1)
    class Chat(Controller):
        @websocket("/chat")
        async def chat(self, ws: WebSocket) -> None:
            await ws.accept()
            await ws.send_text("v1")
            await ws.close()

    app = LexigramApp(controllers=[Chat], versioning=VersioningConfig(strategy="header"))
    with TestClient(app) as client:
        with client.websocket_connect("/chat", headers={"X-API-Version": "1"}) as ws:
            greeting = ws.receive_text()
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect("/chat", headers={"X-API-Version": "2"}) as ws,
        ):
            ws.receive_text()
    assert greeting == "v1"
    assert closed.value.code == 1008
