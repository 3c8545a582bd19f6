"""The OpenAPI document of a rich app (``openapi_fixture_app``), read through GET /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from lexigram.web.testing import AsyncTestClient

pytestmark = [pytest.mark.extra("multipart"), pytest.mark.extra("result")]

PROBLEM = "#/components/schemas/ProblemDetail"


@pytest.fixture
async def document() -> AsyncIterator[dict[str, Any]]:
    from openapi_fixture_app import app

    async with AsyncTestClient(app) as client:
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        yield response.json()


def op(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def params(operation: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["in"], p["name"]): p for p in operation.get("parameters", [])}


async def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["info"] == {
        "title": "Pet Shop",
        "version": "2.0.0",
        "description": "A test API.",
    }


async def test_paths_use_openapi_templates_and_path_parameters_are_listed(
    document: dict[str, Any],
) -> None:
    assert "/users/{user_id}" in document["paths"]
    found = params(op(document, "get", "/users/{user_id}"))
    assert found[("path", "user_id")] == {
        "name": "user_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }


async def test_query_parameters_carry_types_constraints_defaults_and_enum_refs(
    document: dict[str, Any],
) -> None:
    found = params(op(document, "get", "/users"))
    limit = found[("query", "limit")]
    assert limit["required"] is False
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
    color = found[("query", "color")]["schema"]
    assert color == {"$ref": "#/components/schemas/Color"}  # a query value is never null
    assert found[("query", "tag")]["schema"]["type"] == "array"
    assert document["components"]["schemas"]["Color"]["enum"] == ["red", "green"]


async def test_optional_header_and_cookie_parameters(document: dict[str, Any]) -> None:
    header = params(op(document, "get", "/pets/{pet_id}"))[("header", "x-trace")]
    assert header["required"] is False
    cookie = params(op(document, "get", "/pets"))[("cookie", "session")]
    assert cookie["required"] is False


async def test_a_union_path_parameter_and_a_discriminated_union_response(
    document: dict[str, Any],
) -> None:
    operation = op(document, "get", "/pets/{pet_id}")
    schema = params(operation)[("path", "pet_id")]["schema"]
    assert schema == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["discriminator"]["propertyName"] == "kind"
    assert {"$ref": "#/components/schemas/Cat"} in body["oneOf"]


async def test_a_json_body_references_the_model_in_components(document: dict[str, Any]) -> None:
    body = op(document, "post", "/users")["requestBody"]
    assert body == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserIn"}}},
    }
    user_in = document["components"]["schemas"]["UserIn"]
    assert user_in["properties"]["address"]["anyOf"][0] == {"$ref": "#/components/schemas/Address"}


async def test_form_fields_are_urlencoded_or_multipart(document: dict[str, Any]) -> None:
    content = op(document, "post", "/profile")["requestBody"]["content"]
    ref = {"schema": {"$ref": "#/components/schemas/Profile"}}
    assert content == {"application/x-www-form-urlencoded": ref, "multipart/form-data": ref}


async def test_file_uploads_are_multipart_binary_fields(document: dict[str, Any]) -> None:
    body = op(document, "post", "/avatars")["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert list(body["content"]) == ["multipart/form-data"]
    assert schema["properties"]["picture"] == {"type": "string", "format": "binary"}
    assert schema["properties"]["extra"] == {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
    }
    assert schema["required"] == ["owner", "picture"]


async def test_success_responses_follow_status_model_and_return_annotation(
    document: dict[str, Any],
) -> None:
    created = op(document, "post", "/users")["responses"]["201"]
    assert created["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserOut"
    }
    replaced = op(document, "put", "/users/{user_id}")["responses"]["200"]
    assert replaced["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserOut"
    }
    assert op(document, "delete", "/users/{user_id}")["responses"]["204"] == {
        "description": "No Content"
    }
    page = op(document, "get", "/users")["responses"]["200"]["content"]["application/json"]
    assert page["schema"] == {"$ref": "#/components/schemas/Page"}


async def test_a_result_return_type_documents_its_ok_value(document: dict[str, Any]) -> None:
    ok = op(document, "get", "/lookup/{code}")["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UserOut"}


async def test_problem_responses_are_the_ones_each_route_can_produce(
    document: dict[str, Any],
) -> None:
    def codes(method: str, path: str) -> set[str]:
        return set(op(document, method, path)["responses"])

    assert codes("get", "/health") == {"200"}
    assert codes("get", "/users") == {"200", "400", "422", "429"}
    assert codes("post", "/users") == {"201", "400", "401", "403", "413", "415", "422", "429"}
    assert codes("delete", "/users/{user_id}") == {"204", "400", "422", "429"}
    responses = document["components"]["responses"]
    assert op(document, "post", "/users")["responses"]["401"] == {
        "$ref": "#/components/responses/Unauthorized"
    }
    for name in ("ValidationProblem", "Unauthorized", "Forbidden", "TooManyRequests"):
        content = responses[name]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": PROBLEM}}}
    assert "Retry-After" in responses["TooManyRequests"]["headers"]
    problem = document["components"]["schemas"]["ProblemDetail"]
    assert problem["required"] == ["type", "title", "status"]


async def test_security_comes_from_the_guards_and_the_declared_schemes(
    document: dict[str, Any],
) -> None:
    assert op(document, "post", "/users")["security"] == [{"bearer": []}]
    assert op(document, "put", "/users/{user_id}")["security"] == [
        {"apiKey": []},
        {"bearer": ["admin"]},
    ]
    assert "security" not in op(document, "get", "/users")
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}


async def test_operation_ids_are_explicit_or_derived_and_unique(document: dict[str, Any]) -> None:
    ids = [
        operation["operationId"]
        for methods in document["paths"].values()
        for operation in methods.values()
    ]
    assert len(ids) == len(set(ids))
    assert op(document, "post", "/users")["operationId"] == "createUser"
    assert op(document, "get", "/users")["operationId"] == "UsersController_list_users"
    assert op(document, "get", "/pets")["operationId"] == "find_pets"
    assert op(document, "post", "/pets/search")["operationId"] == "find_pets_post"


async def test_summary_and_description_default_to_the_docstring(
    document: dict[str, Any],
) -> None:
    listing = op(document, "get", "/users")
    assert listing["summary"] == "List users."
    assert listing["description"] == "Filter by favourite colour and tags."
    assert op(document, "post", "/users")["summary"] == "Create a user"
    assert "summary" not in op(document, "get", "/health")


async def test_tags_default_to_the_controller_and_deprecation_is_shown(
    document: dict[str, Any],
) -> None:
    assert op(document, "get", "/users")["tags"] == ["UsersController"]
    assert op(document, "put", "/users/{user_id}")["tags"] == ["admin"]
    assert {"name": "UsersController", "description": "Manage the shop's users."} in document[
        "tags"
    ]
    assert op(document, "delete", "/users/{user_id}")["deprecated"] is True


async def test_hidden_routes_auto_head_and_the_docs_routes_are_left_out(
    document: dict[str, Any],
) -> None:
    paths = document["paths"]
    assert "/hello" not in paths
    assert "/openapi.json" not in paths
    assert "/docs" not in paths
    assert all("head" not in methods for methods in paths.values())
