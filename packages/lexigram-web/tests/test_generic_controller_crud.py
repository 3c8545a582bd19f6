"""``GenericController[T]``: CRUD routes over a result-returning service, through the app."""

from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from lexigram.http_errors.domain import ConflictError, NotFoundError
from lexigram.web import (
    CRUDServiceProtocol,
    GenericController,
    LexigramApp,
    api_version,
    error_status,
    get,
)
from lexigram.web.testing import AsyncTestClient


@dataclass(frozen=True)
class Ok:
    value: Any

    def is_ok(self) -> bool:
        return True

    def unwrap(self) -> Any:
        return self.value

    def unwrap_err(self) -> Any:
        raise TypeError("unwrap_err on Ok")


@dataclass(frozen=True)
class Err:
    error: Any

    def is_ok(self) -> bool:
        return False

    def unwrap(self) -> Any:
        raise TypeError("unwrap on Err")

    def unwrap_err(self) -> Any:
        return self.error


class Book(BaseModel):
    id: int | None = None
    title: str


@error_status(410)
class BookWithdrawn(Exception):
    pass


class BookService:
    def __init__(self) -> None:
        self.books: dict[int, Book] = {1: Book(id=1, title="Dune"), 2: Book(id=2, title="Emma")}
        self.pages: list[tuple[int, int]] = []

    async def list(self, limit: int, offset: int) -> Ok:
        self.pages.append((limit, offset))
        items = list(self.books.values())[offset : offset + limit]
        return Ok((items, len(self.books)))

    async def get(self, item_id: int) -> Ok | Err:
        if item_id == 99:
            return Err(BookWithdrawn("withdrawn"))
        found = self.books.get(item_id)
        return Ok(found) if found else Err(NotFoundError(f"book {item_id} not found"))

    async def create(self, data: Book) -> Ok | Err:
        if any(b.title == data.title for b in self.books.values()):
            return Err(ConflictError("a book with that title exists"))
        book = data.model_copy(update={"id": max(self.books) + 1})
        self.books[book.id or 0] = book
        return Ok(book)

    async def update(self, item_id: int, data: Book) -> Ok | Err:
        if item_id not in self.books:
            return Err(NotFoundError(f"book {item_id} not found"))
        self.books[item_id] = data.model_copy(update={"id": item_id})
        return Ok(self.books[item_id])

    async def delete(self, item_id: int) -> Ok | Err:
        if self.books.pop(item_id, None) is None:
            return Err(NotFoundError(f"book {item_id} not found"))
        return Ok(None)


class BookController(GenericController[Book]):
    prefix = "/books"
    id_type = int
    default_limit = 5
    max_limit = 10

    def __init__(self, service: BookService) -> None:
        super().__init__(service, resource_name="book")


def make_app(service: BookService | None = None) -> LexigramApp:
    app = LexigramApp(controllers=[BookController])
    app.container.singleton(BookService, instance=service or BookService())
    return app


async def test_list_returns_a_page_with_limit_offset_and_total() -> None:
    service = BookService()
    async with AsyncTestClient(make_app(service)) as client:
        default = await client.get("/books")
        page = await client.get("/books", params={"limit": 1, "offset": 1})
    assert (default.json()["limit"], default.json()["offset"]) == (5, 0)
    assert service.pages == [(5, 0), (1, 1)]
    assert page.json() == {
        "items": [{"id": 2, "title": "Emma"}],
        "limit": 1,
        "offset": 1,
        "total": 2,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 11}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
    ],
)
async def test_bad_limit_or_offset_is_a_422_problem(query: dict[str, Any], field: str) -> None:
    service = BookService()
    async with AsyncTestClient(make_app(service)) as client:
        response = await client.get("/books", params=query)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["query", field]
    assert service.pages == []


async def test_a_huge_offset_is_a_422_problem_not_a_500() -> None:
    service = BookService()
    async with AsyncTestClient(make_app(service)) as client:
        response = await client.get("/books", params={"offset": 10**30})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "offset"]
    assert service.pages == []


async def test_max_offset_bounds_offset() -> None:
    class Shelf(GenericController[Book]):
        prefix = "/shelf"
        max_offset = 50

        def __init__(self, service: BookService) -> None:
            super().__init__(service)

    service = BookService()
    app = LexigramApp(controllers=[Shelf])
    app.container.singleton(BookService, instance=service)
    async with AsyncTestClient(app) as client:
        last = await client.get("/shelf", params={"offset": 50})
        beyond = await client.get("/shelf", params={"offset": 51})
    assert (last.status_code, beyond.status_code) == (200, 422)
    assert service.pages == [(20, 50)]


async def test_an_annotated_id_type_constrains_the_item_id() -> None:
    class Shelf(GenericController[Book]):
        prefix = "/shelf"
        id_type = Annotated[int, Field(ge=1, le=9)]

        def __init__(self, service: BookService) -> None:
            super().__init__(service)

    app = LexigramApp(controllers=[Shelf])
    app.container.singleton(BookService, instance=BookService())
    async with AsyncTestClient(app) as client:
        found = await client.get("/shelf/2")
        out_of_range = await client.get("/shelf/10")
    assert found.json() == {"id": 2, "title": "Emma"}
    assert out_of_range.status_code == 422


async def test_get_returns_the_item_or_maps_the_err_to_a_problem() -> None:
    async with AsyncTestClient(make_app()) as client:
        found = await client.get("/books/1")
        missing = await client.get("/books/7")
        withdrawn = await client.get("/books/99")
        not_an_id = await client.get("/books/abc")
    assert found.json() == {"id": 1, "title": "Dune"}
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "book 7 not found"
    assert withdrawn.status_code == 410
    assert not_an_id.status_code == 404


async def test_create_answers_201_with_a_location_built_from_the_get_route() -> None:
    async with AsyncTestClient(make_app()) as client:
        created = await client.post("/books", json={"title": "Ulysses"})
        fetched = await client.get(created.headers["location"])
        duplicate = await client.post("/books", json={"title": "Dune"})
        invalid = await client.post("/books", json={"name": "no title"})
    assert created.status_code == 201
    assert created.json() == {"id": 3, "title": "Ulysses"}
    assert created.headers["location"] == "/books/3"
    assert fetched.json() == {"id": 3, "title": "Ulysses"}
    assert duplicate.status_code == 409
    assert invalid.status_code == 422


async def test_update_and_delete() -> None:
    service = BookService()
    async with AsyncTestClient(make_app(service)) as client:
        updated = await client.put("/books/2", json={"title": "Persuasion"})
        missing = await client.put("/books/9", json={"title": "x"})
        deleted = await client.delete("/books/1")
        again = await client.delete("/books/1")
    assert updated.json() == {"id": 2, "title": "Persuasion"}
    assert missing.status_code == 404
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert again.status_code == 404
    assert set(service.books) == {2}


async def test_routes_are_named_and_registered_per_subclass() -> None:
    app = make_app()
    async with AsyncTestClient(app):
        routes = {(r.method, r.path): r.name for r in app.routes if r.method != "HEAD"}
    assert routes == {
        ("GET", "/books"): "BookController.list_items",
        ("GET", "/books/{item_id:int}"): "BookController.get_item",
        ("POST", "/books"): "BookController.create_item",
        ("PUT", "/books/{item_id:int}"): "BookController.update_item",
        ("DELETE", "/books/{item_id:int}"): "BookController.delete_item",
    }


async def test_a_subclass_method_replaces_the_generated_route() -> None:
    class Catalog(GenericController[Book]):
        prefix = "/catalog"
        id_type = int

        def __init__(self, service: BookService) -> None:
            super().__init__(service)

        @get("")
        async def list_items(self) -> str:
            return f"custom list of {self.resource_name}"

    app = LexigramApp(controllers=[Catalog])
    app.container.singleton(BookService, instance=BookService())
    async with AsyncTestClient(app) as client:
        listed = await client.get("/catalog")
        one = await client.get("/catalog/1")
    assert listed.json() == "custom list of catalog"
    assert one.json() == {"id": 1, "title": "Dune"}


async def test_without_an_init_the_service_is_resolved_as_the_generic_protocol() -> None:
    @api_version(1)
    class Shelf(GenericController[Book]):
        prefix = "/shelf"
        id_type = int

    app = LexigramApp(controllers=[Shelf])
    app.container.singleton(CRUDServiceProtocol[Book], instance=BookService())
    async with AsyncTestClient(app) as client:
        response = await client.get("/v1/shelf/2")
        created = await client.post("/v1/shelf", json={"title": "Odyssey"})
    assert response.json() == {"id": 2, "title": "Emma"}
    assert created.headers["location"] == "/v1/shelf/3"


def test_limits_and_id_types_are_checked_when_the_class_is_created() -> None:
    with pytest.raises(TypeError, match="id_type"):

        class BadId(GenericController[Book]):
            id_type = float

    with pytest.raises(TypeError, match="default_limit <= max_limit"):

        class BadLimit(GenericController[Book]):
            max_limit = 5

    with pytest.raises(TypeError, match="max_offset"):

        class BadOffset(GenericController[Book]):
            max_offset = -1
