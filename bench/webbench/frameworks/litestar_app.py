"""Litestar: route handlers, ``FromPath``/``FromQuery``/``QueryParameter``, ``JSONBody``, a
``Controller`` with a guard, a per-request ``Provide`` dependency and an ``after_request`` hook
as the interceptor. Guards and dependencies are ``async`` or ``sync_to_thread=False`` (no
threadpool hop)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Litestar, MediaType, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from .. import scenarios as s
from .common import Database, Item, Repository, item_not_found

ERROR_RESPONSE = ("application/json", {"status_code": 404, "detail": item_not_found(999)})
"""The error scenario's answer: content type and body."""

_DB = Database()


def get_database() -> Database:
    return _DB


def provide_repository(db: NamedDependency[Database]) -> Repository:
    return Repository(db)


async def token_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.headers.get("authorization") != s.TOKEN:
        raise NotAuthorizedException("token required")
    connection.state.user = s.USER


async def stamp(response: Response[Any]) -> Response[Any]:
    response.headers[s.INTERCEPTOR_HEADER] = "yes"
    return response


class PipelineController(Controller):
    path = "/pipeline"
    guards = [token_guard]  # noqa: RUF012
    dependencies = {"repository": Provide(provide_repository, sync_to_thread=False)}  # noqa: RUF012
    after_request = stamp

    @get("/{id:int}")
    async def show(
        self,
        id: FromPath[int],
        q: FromQuery[str],
        repository: NamedDependency[Repository],
        request: Request[Any, Any, Any],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        owner = repository.owner(id)
        return {"id": id, "q": q, "limit": limit, "user": request.state.user, "owner": owner}


def _pipeline_app() -> Litestar:
    return Litestar(
        [PipelineController],
        dependencies={"db": Provide(get_database, use_cache=True, sync_to_thread=False)},
    )


def _route(i: int) -> Any:
    @get(f"/r{i}/{{id:int}}")
    async def handler(id: FromPath[int]) -> dict[str, int]:
        return {"route": i, "id": id}

    return handler


def build_routes(count: int) -> Litestar:
    return Litestar([_route(i) for i in range(count)])


@get("/plaintext", media_type=MediaType.TEXT)
async def plaintext() -> str:
    return s.HELLO


@get("/json")
async def json_1k() -> dict[str, Any]:
    return s.PAYLOAD


@get("/users/{id:int}")
async def user(id: FromPath[int]) -> dict[str, int]:
    return {"id": id}


@get("/search")
async def search(
    q: FromQuery[str], limit: Annotated[int, QueryParameter(ge=1, le=100)] = 10
) -> dict[str, Any]:
    return {"q": q, "limit": limit}


@post("/items", status_code=200)
async def create_item(data: JSONBody[Item]) -> Item:
    return data


@get("/items/{id:int}")
async def get_item(id: FromPath[int]) -> dict[str, int]:
    if id != s.KNOWN_ITEM:
        raise NotFoundException(item_not_found(id))
    return {"id": id}


def build(key: str) -> Litestar:
    if key == s.ROUTES_100:
        return build_routes(s.ROUTE_COUNT)
    if key == s.PIPELINE:
        return _pipeline_app()
    handler = {
        s.PLAINTEXT: plaintext,
        s.JSON_1K: json_1k,
        s.PATH_INT: user,
        s.QUERY: search,
        s.BODY: create_item,
        s.ERROR: get_item,
    }[key]
    return Litestar([handler])
