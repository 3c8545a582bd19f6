"""Requests leave nothing for the cyclic garbage collector: every object a request allocates
is freed by reference counting the moment the request ends.

Each case runs its requests with the collector switched off, then counts what one full
collection finds: zero, whatever the route does (the request object handed to the handler, a
guard and an interceptor adding a header, a controller built per request in a DI scope,
a body bound to a model, errors raised, refused, or answered by no route at all).
"""

import gc
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from lexigram.http_errors import NotFoundError, UnauthorizedError
from lexigram.result import Err, Ok, Result
from lexigram.web import (
    BackgroundTasks,
    CallHandlerProtocol,
    Controller,
    ExecutionContext,
    LexigramApp,
    Request,
    Response,
    get,
    guard,
    text_response,
    use_interceptors,
)

REQUESTS = 50
TOKEN = "Bearer t"


class Item(BaseModel):
    name: str
    price: float
    tags: list[str]


class Database:
    def owner_of(self, id: int) -> str:
        return f"owner-{id}"


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db


class TokenGuard:
    def can_activate(self, context: ExecutionContext) -> bool:
        if context.headers.get("authorization") != TOKEN:
            raise UnauthorizedError("token required", www_authenticate="Bearer")
        context.scope["user"] = "alice"
        return True


class Stamp:
    async def intercept(self, context: Any, next_handler: CallHandlerProtocol) -> Any:
        context.add_header("x-stamp", "yes")
        return await next_handler.handle()


class Things(Controller):
    prefix = "/things"

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    @get("/{id:int}")
    @guard(TokenGuard)
    @use_interceptors(Stamp)
    async def show(
        self,
        id: int,
        q: str,
        context: ExecutionContext,
        limit: Annotated[int, Field(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        owner = self.repository.db.owner_of(id)
        return {"id": id, "q": q, "limit": limit, "user": context.user, "owner": owner}


def _app() -> LexigramApp:
    app = LexigramApp(controllers=[Things])
    app.singleton(Database)
    app.scoped(Repository)

    @app.get("/plaintext")
    async def plaintext() -> Response:
        return text_response("Hello")

    @app.get("/json")
    async def json_doc() -> dict[str, Any]:
        return {"items": [1, 2, 3]}

    @app.get("/users/{id:int}")
    async def user(id: int) -> dict[str, int]:
        return {"id": id}

    @app.post("/items")
    async def create(item: Item) -> Item:
        return item

    @app.get("/missing/{id:int}")
    async def missing(id: int) -> None:
        raise NotFoundError(f"item {id} not found")

    @app.get("/itself/{id:int}")
    async def itself(id: int, request: Request, context: ExecutionContext) -> dict[str, Any]:
        context.add_header("x-seen", str(len(request.validated_data)))
        return {"id": id, "path": request.path}

    @app.get("/result/{id:int}")
    async def result(id: int) -> Result[dict[str, int], NotFoundError]:
        return Ok({"id": id}) if id == 1 else Err(NotFoundError("no such id"))

    @app.get("/later")
    async def later(tasks: BackgroundTasks) -> None:
        tasks.add(_noop)

    return app


async def _noop() -> None:
    return None


def _scope(method: str, target: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


class _Exchange:
    """One request's ``receive`` (the body in one message) and ``send`` (keeps the status)."""

    __slots__ = ("body", "status")

    def __init__(self, body: bytes) -> None:
        self.body: bytes | None = body
        self.status = 0

    async def receive(self) -> dict[str, Any]:
        body, self.body = self.body, None
        if body is None:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]


@contextmanager
def _collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


BODY = b'{"name": "widget", "price": 9.5, "tags": ["a"]}'
JSON = [(b"content-type", b"application/json")]
AUTH = [(b"authorization", TOKEN.encode())]

CASES = [
    ("GET", "/plaintext", [], b"", 200),
    ("GET", "/json", [], b"", 200),
    ("GET", "/users/42", [], b"", 200),
    ("POST", "/items", JSON, BODY, 200),
    ("GET", "/things/42?q=bench&limit=10", AUTH, b"", 200),
    ("GET", "/itself/7", [], b"", 200),
    ("GET", "/missing/9", [], b"", 404),
    ("GET", "/result/1", [], b"", 200),
    ("GET", "/result/2", [], b"", 404),
    ("GET", "/later", [], b"", 204),
    ("HEAD", "/users/42", [], b"", 200),
    # refused: validation, a guard, no route, wrong method, bad body
    ("GET", "/users/abc", [], b"", 404),
    ("GET", "/things/42?q=bench&limit=1000", AUTH, b"", 422),
    ("GET", "/things/42?q=bench", [], b"", 401),
    ("POST", "/items", JSON, b'{"name": 1}', 422),
    ("POST", "/items", JSON, b"{not json", 400),
    ("GET", "/nowhere", [], b"", 404),
    ("DELETE", "/users/42", [], b"", 405),
]


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "status"),
    CASES,
    ids=[f"{m} {t} {s}" for m, t, _, _, s in CASES],
)
async def test_a_request_leaves_no_objects_for_the_cyclic_collector(
    method: str, target: str, headers: list[tuple[bytes, bytes]], body: bytes, status: int
) -> None:
    app = _app()
    async with app.lifespan():
        template = _scope(method, target, headers)
        for _ in range(3):  # first requests fill caches that live as long as the app
            exchange = _Exchange(body)
            await app(template.copy(), exchange.receive, exchange.send)
            assert exchange.status == status
        with _collector_off():
            for _ in range(REQUESTS):
                exchange = _Exchange(body)
                await app(template.copy(), exchange.receive, exchange.send)
            found = gc.collect()
        assert exchange.status == status
        assert found == 0, f"{found} objects left for the collector by {REQUESTS} requests"
