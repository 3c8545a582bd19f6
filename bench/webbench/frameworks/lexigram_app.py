"""Lexigram: function routes for the simple scenarios, a controller for the full pipeline."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from lexigram.http_errors import NotFoundError, UnauthorizedError
from lexigram.web import (
    CallHandlerProtocol,
    Controller,
    ExecutionContext,
    Interceptor,
    LexigramApp,
    Response,
    get,
    guard,
    text_response,
    use_interceptors,
)

from .. import scenarios as s
from .common import Database, Item, Repository, item_not_found

ERROR_RESPONSE = ("application/problem+json", s.PROBLEM_404)
"""The error scenario's answer: content type and body."""


class TokenGuard:
    """As the guide writes a token guard: ``context.headers``, the user put in the scope."""

    def can_activate(self, context: ExecutionContext) -> bool:
        if context.headers.get("authorization") != s.TOKEN:
            raise UnauthorizedError("token required", www_authenticate="Bearer")
        context.scope["user"] = s.USER
        return True


class Stamp(Interceptor):
    async def intercept(self, context: Any, next_handler: CallHandlerProtocol) -> Any:
        context.add_header(s.INTERCEPTOR_HEADER, "yes")
        return await next_handler.handle()


class PipelineController(Controller):
    prefix = "/pipeline"

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
        owner = self.repository.owner(id)
        return {"id": id, "q": q, "limit": limit, "user": context.user, "owner": owner}


def pipeline_app(**options: Any) -> LexigramApp:
    """The full-pipeline app (``options`` go to ``LexigramApp``: the observability part)."""
    app = LexigramApp(controllers=[PipelineController], **options)
    app.singleton(Database)
    app.scoped(Repository)
    return app


def _route(i: int) -> Any:
    async def handler(id: int) -> dict[str, int]:
        return {"route": i, "id": id}

    return handler


def build_routes(count: int) -> LexigramApp:
    app = LexigramApp()
    for i in range(count):
        app.get(f"/r{i}/{{id:int}}")(_route(i))
    return app


def build(key: str) -> LexigramApp:
    if key == s.ROUTES_100:
        return build_routes(s.ROUTE_COUNT)
    if key == s.PIPELINE:
        return pipeline_app()
    app = LexigramApp()
    if key == s.PLAINTEXT:

        @app.get("/plaintext")
        async def plaintext() -> Response:
            return text_response(s.HELLO)

    elif key == s.JSON_1K:

        @app.get("/json")
        async def json_1k() -> dict[str, Any]:
            return s.PAYLOAD

    elif key == s.PATH_INT:

        @app.get("/users/{id:int}")
        async def user(id: int) -> dict[str, int]:
            return {"id": id}

    elif key == s.QUERY:

        @app.get("/search")
        async def search(q: str, limit: Annotated[int, Field(ge=1, le=100)] = 10) -> dict[str, Any]:
            return {"q": q, "limit": limit}

    elif key == s.BODY:

        @app.post("/items")
        async def create_item(item: Item) -> Item:
            return item

    elif key == s.ERROR:

        @app.get("/items/{id:int}")
        async def get_item(id: int) -> dict[str, int]:
            if id != s.KNOWN_ITEM:
                raise NotFoundError(item_not_found(id))
            return {"id": id}

    return app
