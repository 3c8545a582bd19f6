"""The OpenAPI document matches what the server does: header and query values are never
``null``, an event stream is ``text/event-stream``, and every version of a shared path is
documented (its parameters, its body and response models, how to select it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from lexigram.web import (
    Controller,
    LexigramApp,
    VersioningConfig,
    api_version,
    post,
    sse,
)
from lexigram.web.testing import AsyncTestClient


class OrderV1(BaseModel):
    customer: str


class OrderV2(BaseModel):
    customer: str
    priority: int


class OrdersController(Controller):
    prefix = "/orders"

    @post("/")
    @api_version(1)
    async def create_v1(self, order: OrderV1) -> OrderV1:
        return order

    @post("/")
    @api_version(2)
    async def create_v2(self, order: OrderV2, dry_run: bool = False) -> OrderV2:
        return order


async def _document(app: LexigramApp) -> dict[str, Any]:
    async with AsyncTestClient(app) as client:
        document: dict[str, Any] = (await client.get("/openapi.json")).json()
    validate(document)
    return document


async def test_an_optional_header_is_documented_without_null() -> None:
    app = LexigramApp()

    @sse("/events")
    async def events(last_event_id: int | None = None) -> AsyncIterator[str]:
        yield "tick"

    app.add_route(events)
    operation = (await _document(app))["paths"]["/events"]["get"]
    [parameter] = operation["parameters"]
    assert parameter["in"] == "header" and parameter["required"] is False
    assert parameter["schema"] == {"type": "integer"}


async def test_an_event_stream_is_documented_as_text_event_stream() -> None:
    app = LexigramApp()

    @sse("/events")
    async def events() -> AsyncIterator[str]:
        yield "tick"

    app.add_route(events)
    response = (await _document(app))["paths"]["/events"]["get"]["responses"]["200"]
    assert response["content"] == {"text/event-stream": {"schema": {"type": "string"}}}


@pytest.mark.parametrize("strategy", ["header", "query", "media_type"])
async def test_every_version_of_a_shared_path_is_documented(strategy: str) -> None:
    versioning = VersioningConfig(strategy=strategy)  # type: ignore[arg-type]
    app = LexigramApp(controllers=[OrdersController], versioning=versioning)
    document = await _document(app)
    operation = document["paths"]["/orders"]["post"]
    assert operation["x-api-version"] == ["1", "2"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {
        "anyOf": [
            {"$ref": "#/components/schemas/OrderV1"},
            {"$ref": "#/components/schemas/OrderV2"},
        ]
    }
    assert {"OrderV1", "OrderV2"} <= set(document["components"]["schemas"])
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert len(ok["anyOf"]) == 2
    dry_run = next(p for p in operation["parameters"] if p["name"] == "dry_run")
    assert dry_run["required"] is False
    assert dry_run["description"] == "Only API version 2 takes this parameter."
    if strategy == "media_type":
        assert "with the Accept header" in operation["description"]
        assert operation["x-api-version-media-type"]["parameter"] == "version"
