"""API versions in the OpenAPI document: paths as routed, ``x-api-version``, shared paths."""

from __future__ import annotations

from typing import Any

from openapi_spec_validator import validate

from lexigram.web import Controller, LexigramApp, VersioningConfig, api_version, get
from lexigram.web.testing import AsyncTestClient


class ThingsController(Controller):
    prefix = "/things"

    @get("/")
    @api_version(1, deprecated=True)
    async def list_v1(self) -> list[str]:
        return []

    @get("/")
    @api_version(2)
    async def list_v2(self) -> list[int]:
        return []


async def document_for(strategy: str) -> dict[str, Any]:
    versioning = VersioningConfig(strategy=strategy)  # type: ignore[arg-type]
    app = LexigramApp(controllers=[ThingsController], versioning=versioning)
    async with AsyncTestClient(app) as client:
        document: dict[str, Any] = (await client.get("/openapi.json")).json()
    validate(document)
    return document


async def test_url_versions_are_separate_paths_with_their_version() -> None:
    paths = (await document_for("url"))["paths"]
    v1 = paths["/v1/things"]["get"]
    v2 = paths["/v2/things"]["get"]
    assert (v1["x-api-version"], v1["deprecated"]) == ("1", True)
    assert v2["x-api-version"] == "2"
    assert "deprecated" not in v2


async def test_header_versions_share_one_operation_with_the_version_header() -> None:
    operation = (await document_for("header"))["paths"]["/things"]["get"]
    assert operation["x-api-version"] == ["1", "2"]
    assert "deprecated" not in operation
    assert operation["parameters"] == [
        {
            "name": "X-API-Version",
            "in": "header",
            "required": True,
            "description": "The API version to use.",
            "schema": {"type": "string", "enum": ["1", "2"]},
        }
    ]


async def test_query_versions_name_the_query_parameter() -> None:
    operation = (await document_for("query"))["paths"]["/things"]["get"]
    assert [(p["in"], p["name"]) for p in operation["parameters"]] == [("query", "version")]
