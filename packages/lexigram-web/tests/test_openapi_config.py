"""Serving the OpenAPI document: URL, disabling, settings, caching, and startup errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ValidationError

from lexigram.web import (
    ConfigurationError,
    LexigramApp,
    OpenAPIConfig,
    WebConfig,
    get,
    set_metadata,
    use_guards,
)
from lexigram.web.testing import AsyncTestClient


class Item(BaseModel):
    name: str


class Opaque:
    """A class pydantic cannot describe."""


class WithHook(BaseModel):
    """Validates, but has no JSON Schema (a callable field)."""

    hook: Callable[[], int]


def make_app(**options: Any) -> LexigramApp:
    app = LexigramApp(**options)

    @app.get("/items/{item_id:int}")
    async def read_item(item_id: int) -> Item:
        return Item(name=str(item_id))

    return app


async def test_the_document_is_served_at_the_configured_url() -> None:
    config = WebConfig(openapi=OpenAPIConfig(openapi_url="/api/schema.json", title="Shop"))
    async with AsyncTestClient(make_app(config=config)) as client:
        response = await client.get("/api/schema.json")
        missing = await client.get("/openapi.json")
    assert response.json()["info"]["title"] == "Shop"
    assert missing.status_code == 404


async def test_a_mapping_argument_updates_the_config_section() -> None:
    config = WebConfig(openapi=OpenAPIConfig(title="From config", version="9"))
    app = make_app(config=config, openapi={"title": "From argument"})
    async with AsyncTestClient(app) as client:
        info = (await client.get("/openapi.json")).json()["info"]
    assert info == {"title": "From argument", "version": "9"}


async def test_disabled_openapi_answers_404_problem_but_the_document_can_be_exported() -> None:
    app = make_app(openapi=False)
    async with AsyncTestClient(app) as client:
        response = await client.get("/openapi.json")
        docs = await client.get("/docs")
        assert app.openapi()["paths"]["/items/{item_id}"]["get"]["operationId"] == "read_item"
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert docs.status_code == 404


async def test_disabled_in_the_config_file_section() -> None:
    config = WebConfig.model_validate({"openapi": {"enabled": False}})
    async with AsyncTestClient(make_app(config=config)) as client:
        assert (await client.get("/openapi.json")).status_code == 404


async def test_the_json_is_built_once_and_revalidated_with_an_etag() -> None:
    app = make_app()
    async with AsyncTestClient(app) as client:
        first = await client.get("/openapi.json")
        second = await client.get("/openapi.json")
        etag = first.headers["etag"]
        cached = await client.get("/openapi.json", headers={"if-none-match": etag})
        head = await client.head("/openapi.json")
        assert app.openapi() is app.openapi()
    assert first.content == second.content
    assert first.headers["cache-control"] == "no-cache"
    assert cached.status_code == 304
    assert cached.content == b""
    assert head.status_code == 200
    assert head.content == b""


async def test_openapi_before_startup_names_the_fix() -> None:
    with pytest.raises(RuntimeError, match="start the app first"):
        make_app().openapi()


async def test_a_response_model_without_a_json_schema_fails_startup_naming_the_route() -> None:
    app = LexigramApp()

    @app.get("/hooks", response_model=WithHook)
    async def hooks() -> Any:
        return {}

    with pytest.raises(ConfigurationError, match=r"GET /hooks \(handler .*hooks\): response_model"):
        await app.startup()


async def test_a_return_annotation_without_a_json_schema_is_an_empty_schema_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = LexigramApp()

    @app.get("/opaque")
    async def opaque() -> dict[str, Opaque]:
        return {}

    with caplog.at_level(logging.WARNING, logger="lexigram.web.openapi"):
        async with AsyncTestClient(app) as client:
            document = (await client.get("/openapi.json")).json()
    content = document["paths"]["/opaque"]["get"]["responses"]["200"]["content"]
    assert content == {"application/json": {"schema": {}}}
    assert "GET /opaque" in caplog.text
    assert "return annotation" in caplog.text


async def test_colliding_explicit_operation_ids_fail_startup() -> None:
    app = LexigramApp()

    @app.get("/a", operation_id="fetch")
    async def a() -> None: ...

    @app.get("/b", operation_id="fetch")
    async def b() -> None: ...

    with pytest.raises(ConfigurationError, match=r"operation_id 'fetch' is used by .*/a.* and"):
        await app.startup()


async def test_a_guard_naming_an_undeclared_security_scheme_fails_startup() -> None:
    class TokenGuard:
        openapi_security = "token"

        def can_activate(self, context: Any) -> bool:
            return True

    app = LexigramApp()

    @app.get("/secret")
    @use_guards(TokenGuard)
    async def secret() -> None: ...

    with pytest.raises(ConfigurationError, match=r"security_schemes=\{'token'"):
        await app.startup()


def test_a_security_scheme_needs_a_type() -> None:
    with pytest.raises(ValidationError, match="needs a 'type'"):
        OpenAPIConfig(security_schemes={"token": {"scheme": "bearer"}})


async def test_app_guards_attach_security_to_every_route() -> None:
    class ApiKeyGuard:
        openapi_security: ClassVar[dict[str, list[str]]] = {"key": []}

        def can_activate(self, context: Any) -> bool:
            return True

    app = make_app(
        guards=[ApiKeyGuard()],
        openapi={"security_schemes": {"key": {"type": "apiKey", "in": "header", "name": "K"}}},
    )
    async with AsyncTestClient(app):
        operation = app.openapi()["paths"]["/items/{item_id}"]["get"]
    assert operation["security"] == [{"key": []}]
    assert {"401", "403"} <= set(operation["responses"])


async def test_a_route_version_is_shown_and_the_path_is_as_routed() -> None:
    app = LexigramApp()

    @app.get("/v2/things")
    @set_metadata("api_version", "2")
    async def things() -> list[str]:
        return []

    async with AsyncTestClient(app):
        operation = app.openapi()["paths"]["/v2/things"]["get"]
    assert operation["x-api-version"] == "2"


async def test_the_root_path_is_the_server_url() -> None:
    app = make_app(config=WebConfig(root_path="/api"))
    async with AsyncTestClient(app):
        assert app.openapi()["servers"] == [{"url": "/api"}]


async def test_an_application_route_on_the_document_url_wins() -> None:
    app = make_app()

    @app.get("/openapi.json")
    async def mine() -> dict[str, str]:
        return {"mine": "yes"}

    async with AsyncTestClient(app) as client:
        assert (await client.get("/openapi.json")).json() == {"mine": "yes"}


def test_controller_functions_are_plain_route_declarations() -> None:
    @get("/x")
    async def x() -> None: ...

    app = LexigramApp(routes=[x])
    assert app.started is False


async def test_an_openapi_argument_of_another_type_fails_startup() -> None:
    app = make_app(openapi="yes")
    with pytest.raises(TypeError, match="openapi= takes True/False, an OpenAPIConfig or a mapping"):
        await app.startup()
