"""The baseline: raw Starlette with hand-written parsing and stdlib json (``JSONResponse``).

Each handler does by hand exactly the work the frameworks do for the scenario: parse and check
the query, validate the body with pydantic, check the token, build the request-scoped service,
add the interceptor's header, answer a raised 404 as problem+json.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import scenarios as s
from .common import Database, Item, Repository, item_not_found

ERROR_RESPONSE = ("application/problem+json", s.PROBLEM_404)
"""The error scenario's answer: content type and body."""

Handler = Callable[[Request], Awaitable[Response]]


def _invalid(errors: list[dict[str, Any]]) -> Response:
    return JSONResponse({"detail": errors}, status_code=422)


def _parse_search(request: Request) -> tuple[str, int] | Response:
    params = request.query_params
    errors: list[dict[str, Any]] = []
    q = params.get("q")
    if q is None:
        errors.append({"loc": ["query", "q"], "msg": "field required"})
    raw_limit = params.get("limit")
    limit = 10
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            errors.append({"loc": ["query", "limit"], "msg": "not an integer"})
        else:
            if not 1 <= limit <= 100:
                errors.append({"loc": ["query", "limit"], "msg": "must be in 1..100"})
    if errors or q is None:
        return _invalid(errors)
    return q, limit


async def plaintext(request: Request) -> Response:
    return PlainTextResponse(s.HELLO)


async def json_1k(request: Request) -> Response:
    return JSONResponse(s.PAYLOAD)


async def user(request: Request) -> Response:
    return JSONResponse({"id": request.path_params["id"]})


async def search(request: Request) -> Response:
    parsed = _parse_search(request)
    if isinstance(parsed, Response):
        return parsed
    q, limit = parsed
    return JSONResponse({"q": q, "limit": limit})


async def create_item(request: Request) -> Response:
    try:
        item = Item.model_validate_json(await request.body())
    except ValidationError as exc:
        return _invalid(exc.errors(include_url=False, include_context=False))
    return Response(item.model_dump_json(), media_type="application/json")


def _intercepted(handler: Handler) -> Handler:
    """The interceptor: around the handler, adds a header to its response."""

    async def around(request: Request) -> Response:
        response = await handler(request)
        response.headers[s.INTERCEPTOR_HEADER] = "yes"
        return response

    return around


def _pipeline(db: Database) -> Handler:
    @_intercepted
    async def show(request: Request) -> Response:
        if request.headers.get("authorization") != s.TOKEN:  # the guard
            return JSONResponse({"detail": "token required"}, status_code=401)
        parsed = _parse_search(request)
        if isinstance(parsed, Response):
            return parsed
        q, limit = parsed
        repository = Repository(db)  # the request-scoped service
        id: int = request.path_params["id"]
        return JSONResponse(
            {"id": id, "q": q, "limit": limit, "user": s.USER, "owner": repository.owner(id)}
        )

    return show


async def get_item(request: Request) -> Response:
    id: int = request.path_params["id"]
    if id != s.KNOWN_ITEM:
        raise HTTPException(404, item_not_found(id))
    return JSONResponse({"id": id})


async def problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    body = {
        "type": "about:blank",
        "title": "Not Found",
        "status": exc.status_code,
        "detail": exc.detail,
        "instance": request.url.path,
    }
    return Response(json.dumps(body), exc.status_code, media_type="application/problem+json")


def _route_handler(i: int) -> Handler:
    async def handler(request: Request) -> Response:
        return JSONResponse({"route": i, "id": request.path_params["id"]})

    return handler


def build_routes(count: int) -> Starlette:
    return Starlette(routes=[Route(f"/r{i}/{{id:int}}", _route_handler(i)) for i in range(count)])


def build(key: str) -> Starlette:
    if key == s.ROUTES_100:
        return build_routes(s.ROUTE_COUNT)
    routes = {
        s.PLAINTEXT: [Route("/plaintext", plaintext)],
        s.JSON_1K: [Route("/json", json_1k)],
        s.PATH_INT: [Route("/users/{id:int}", user)],
        s.QUERY: [Route("/search", search)],
        s.BODY: [Route("/items", create_item, methods=["POST"])],
        s.PIPELINE: [Route("/pipeline/{id:int}", _pipeline(Database()))],
        s.ERROR: [Route("/items/{id:int}", get_item)],
    }[key]
    return Starlette(routes=routes, exception_handlers={HTTPException: problem})
