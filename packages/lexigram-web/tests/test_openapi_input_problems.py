"""The OpenAPI document lists the 400/413/415 problems the framework itself answers for a
route (malformed body or query, body over the limit, wrong content type), and only on the
routes that can produce them."""

from typing import Any

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from lexigram.web import LexigramApp, form
from lexigram.web.testing import AsyncTestClient

INPUT = {"400", "413", "415"}


class Note(BaseModel):
    text: str


def _app(**options: Any) -> LexigramApp:
    app = LexigramApp(**options)

    @app.post("/notes")
    async def create(note: Note) -> Note:
        return note

    @app.get("/search")
    async def search(q: str = "") -> str:
        return q

    @app.get("/notes/{note_id:int}")
    async def read(note_id: int) -> int:
        return note_id

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    return app


async def _document(app: LexigramApp) -> dict[str, Any]:
    async with app.lifespan():
        document = app.openapi()
    validate(document)
    return document


def _input_problems(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return {status: value for status, value in responses.items() if status in INPUT}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


async def test_a_json_body_route_documents_400_413_and_415() -> None:
    document = await _document(_app())
    assert _input_problems(document, "post", "/notes") == {
        "400": _ref("BadRequest"),
        "413": _ref("PayloadTooLarge"),
        "415": _ref("UnsupportedMediaType"),
    }


async def test_the_documented_input_problems_are_what_the_route_answers() -> None:
    app = _app(max_body_size=64)
    async with AsyncTestClient(app) as client:
        malformed = await client.post(
            "/notes", content=b"{", headers={"content-type": "application/json"}
        )
        too_large = await client.post("/notes", json={"text": "x" * 100})
        wrong_type = await client.post("/notes", content=b"text=x")
        bad_query = await client.get("/search?q=%FF")
    assert [r.status_code for r in (malformed, too_large, wrong_type, bad_query)] == [
        400,
        413,
        415,
        400,
    ]


async def test_routes_with_query_or_path_parameters_document_400_only() -> None:
    document = await _document(_app())
    assert _input_problems(document, "get", "/search") == {"400": _ref("BadRequest")}
    assert _input_problems(document, "get", "/notes/{note_id}") == {"400": _ref("BadRequest")}
    assert _input_problems(document, "get", "/ping") == {}


async def test_without_a_body_limit_no_413_is_documented() -> None:
    document = await _document(_app(max_body_size=None))
    assert set(_input_problems(document, "post", "/notes")) == {"400", "415"}


async def test_with_400_for_validation_the_400_covers_both() -> None:
    document = await _document(_app(validation_status=400))
    problems = _input_problems(document, "post", "/notes")
    assert problems["400"] == _ref("InvalidRequest")
    assert "422" not in document["paths"]["/notes"]["post"]["responses"]


async def test_the_shared_input_problems_use_the_problem_schema() -> None:
    document = await _document(_app())
    shared = document["components"]["responses"]
    problem = {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
    for name in ("BadRequest", "PayloadTooLarge", "UnsupportedMediaType", "InvalidRequest"):
        assert shared[name]["content"] == {"application/problem+json": problem}


@pytest.mark.extra("multipart")
async def test_a_form_route_documents_400_and_413_but_not_415() -> None:
    app = LexigramApp()

    @app.post("/login")
    async def login(username: str = form()) -> str:
        return username

    document = await _document(app)
    assert set(_input_problems(document, "post", "/login")) == {"400", "413"}
