"""FastAPI: path operations, ``Query`` constraints, ``Depends`` for the guard and the services
(``async def``: no threadpool hop), a custom ``APIRoute`` class as the interceptor (FastAPI's
documented way to wrap a route)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from fastapi.requests import Request
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from starlette.responses import Response

from .. import scenarios as s
from .common import Database, Item, Repository, item_not_found

ERROR_RESPONSE = ("application/json", {"detail": item_not_found(999)})
"""The error scenario's answer: content type and body."""

_DB = Database()


async def get_database() -> Database:
    return _DB


async def get_repository(db: Annotated[Database, Depends(get_database)]) -> Repository:
    return Repository(db)


async def require_token(authorization: Annotated[str | None, Header()] = None) -> str:
    if authorization != s.TOKEN:
        raise HTTPException(401, "token required", headers={"WWW-Authenticate": "Bearer"})
    return s.USER


class InterceptedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def around(request: Request) -> Response:
            response = await handler(request)
            response.headers[s.INTERCEPTOR_HEADER] = "yes"
            return response

        return around


def _pipeline_router() -> APIRouter:
    router = APIRouter(prefix="/pipeline", route_class=InterceptedRoute)

    @router.get("/{id}")
    async def show(
        id: int,
        q: str,
        user: Annotated[str, Depends(require_token)],
        repository: Annotated[Repository, Depends(get_repository)],
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        return {"id": id, "q": q, "limit": limit, "user": user, "owner": repository.owner(id)}

    return router


def _route(app: FastAPI, i: int) -> None:
    @app.get(f"/r{i}/{{id}}")
    async def handler(id: int) -> dict[str, int]:
        return {"route": i, "id": id}


def build_routes(count: int) -> FastAPI:
    app = FastAPI()
    for i in range(count):
        _route(app, i)
    return app


def build(key: str) -> FastAPI:
    if key == s.ROUTES_100:
        return build_routes(s.ROUTE_COUNT)
    app = FastAPI()
    if key == s.PLAINTEXT:

        @app.get("/plaintext", response_class=PlainTextResponse)
        async def plaintext() -> str:
            return s.HELLO

    elif key == s.JSON_1K:

        @app.get("/json")
        async def json_1k() -> dict[str, Any]:
            return s.PAYLOAD

    elif key == s.PATH_INT:

        @app.get("/users/{id}")
        async def user(id: int) -> dict[str, int]:
            return {"id": id}

    elif key == s.QUERY:

        @app.get("/search")
        async def search(q: str, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
            return {"q": q, "limit": limit}

    elif key == s.BODY:

        @app.post("/items")
        async def create_item(item: Item) -> Item:
            return item

    elif key == s.PIPELINE:
        app.include_router(_pipeline_router())
    elif key == s.ERROR:

        @app.get("/items/{id}")
        async def get_item(id: int) -> dict[str, int]:
            if id != s.KNOWN_ITEM:
                raise HTTPException(404, item_not_found(id))
            return {"id": id}

    return app
