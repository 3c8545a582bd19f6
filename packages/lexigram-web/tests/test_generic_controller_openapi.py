"""What ``GenericController``'s generated routes declare in the OpenAPI document."""

from typing import Any

from openapi_spec_validator import validate
from pydantic import BaseModel

from lexigram.web import CRUDServiceProtocol, GenericController, LexigramApp

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}


class Book(BaseModel):
    id: int | None = None
    title: str


class BookController(GenericController[Book]):
    prefix = "/books"
    id_type = int


async def _document() -> dict[str, Any]:
    app = LexigramApp(controllers=[BookController])
    app.container.singleton(CRUDServiceProtocol[Book], instance=object())
    async with app.lifespan():
        document = app.openapi()
    validate(document)
    return document


def _statuses(document: dict[str, Any], method: str, path: str) -> set[str]:
    return set(document["paths"][path][method]["responses"])


async def test_item_routes_document_404_and_writes_document_409() -> None:
    document = await _document()
    documented = {
        (method, path): {s for s in _statuses(document, method, path) if s in ("404", "409")}
        for path, methods in document["paths"].items()
        for method in methods
    }
    assert documented == {
        ("get", "/books"): set(),
        ("post", "/books"): {"409"},
        ("get", "/books/{item_id}"): {"404"},
        ("put", "/books/{item_id}"): {"404", "409"},
        ("delete", "/books/{item_id}"): {"404"},
    }


async def test_the_documented_problems_use_the_shared_problem_schema() -> None:
    document = await _document()
    put = document["paths"]["/books/{item_id}"]["put"]["responses"]
    shared = document["components"]["responses"]
    assert put["404"] == {"$ref": "#/components/responses/NotFound"}
    assert put["409"] == {"$ref": "#/components/responses/Conflict"}
    assert shared["NotFound"]["content"] == shared["Conflict"]["content"] == PROBLEM


async def test_list_documents_its_page_and_the_offset_bound() -> None:
    document = await _document()
    listed = document["paths"]["/books"]["get"]
    offset = next(p for p in listed["parameters"] if p["name"] == "offset")
    page = listed["responses"]["200"]["content"]["application/json"]["schema"]
    assert (offset["schema"]["minimum"], offset["schema"]["maximum"]) == (0, 2**31 - 1)
    assert page == {"$ref": "#/components/schemas/BookPage"}
    schema = document["components"]["schemas"]["BookPage"]
    assert schema["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Book"}
    assert set(schema["required"]) == {"items", "limit", "offset", "total"}
