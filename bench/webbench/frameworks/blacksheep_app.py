"""BlackSheep: a router per app, typed query binding, ``FromJSON`` with a pydantic model, a
controller built by its DI container (rodi) with a scoped service, an authentication handler
with ``@auth()`` as the guard, and a middleware as the interceptor (the app holds only that
route)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from blacksheep import Application, FromJSON, Request, Response, Router, json, text
from blacksheep.exceptions import BadRequest, NotFound
from blacksheep.server.authorization import auth
from blacksheep.server.controllers import Controller
from blacksheep.server.routing import RoutesRegistry
from guardpost import AuthenticationHandler, Identity

from .. import scenarios as s
from .common import Database, Item, Repository, item_not_found

ERROR_RESPONSE = ("text/plain", "Resource not found")
"""The error scenario's answer (BlackSheep hides the detail unless ``show_error_details``)."""

Handler = Callable[[Request], Awaitable[Response]]


class TokenAuthentication(AuthenticationHandler):
    async def authenticate(self, context: Request) -> Identity | None:  # type: ignore[override]
        if context.get_first_header(b"authorization") == s.TOKEN.encode():
            context.user = Identity({"sub": s.USER}, "Bearer")
        return context.user if context.user.is_authenticated() else None


async def stamp(request: Request, handler: Handler) -> Response:
    response = await handler(request)
    response.add_header(s.INTERCEPTOR_HEADER.encode(), b"yes")
    return response


def _pipeline_app() -> Application:
    registry = RoutesRegistry()

    class PipelineController(Controller):
        route = "/pipeline"

        def __init__(self, repository: Repository) -> None:
            self.repository = repository

        @auth()
        @registry.get("/{int:id}")
        async def show(self, id: int, q: str, request: Request, limit: int = 10) -> Response:
            if not 1 <= limit <= 100:
                raise BadRequest("limit must be in 1..100")
            user = request.user.claims["sub"]
            owner = self.repository.owner(id)
            return self.json({"id": id, "q": q, "limit": limit, "user": user, "owner": owner})

    app = Application(router=Router())
    app.controllers_router = registry
    app.services.add_instance(Database())  # type: ignore[attr-defined]
    app.services.add_scoped(Repository)  # type: ignore[attr-defined]
    app.use_authentication().add(TokenAuthentication())
    app.use_authorization()
    app.middlewares.append(stamp)
    return _quiet(app)


def _route(router: Router, i: int) -> None:
    @router.get(f"/r{i}/{{int:id}}")
    async def handler(id: int) -> Response:
        return json({"route": i, "id": id})


def build_routes(count: int) -> Application:
    router = Router()
    for i in range(count):
        _route(router, i)
    return _quiet(Application(router=router))


def _quiet(app: Application) -> Application:
    """BlackSheep logs every 4xx at INFO (its ``Application`` sets that level); the other
    frameworks log nothing for them, so the bench puts that logger back to WARNING."""
    logging.getLogger("blacksheep.server").setLevel(logging.WARNING)
    return app


def build(key: str) -> Application:
    if key == s.ROUTES_100:
        return build_routes(s.ROUTE_COUNT)
    if key == s.PIPELINE:
        return _pipeline_app()
    router = Router()
    if key == s.PLAINTEXT:

        @router.get("/plaintext")
        async def plaintext() -> Response:
            return text(s.HELLO)

    elif key == s.JSON_1K:

        @router.get("/json")
        async def json_1k() -> Response:
            return json(s.PAYLOAD)

    elif key == s.PATH_INT:

        @router.get("/users/{int:id}")
        async def user(id: int) -> Response:
            return json({"id": id})

    elif key == s.QUERY:

        @router.get("/search")
        async def search(q: str, limit: int = 10) -> Response:
            if not 1 <= limit <= 100:
                raise BadRequest("limit must be in 1..100")
            return json({"q": q, "limit": limit})

    elif key == s.BODY:

        @router.post("/items")
        async def create_item(item: FromJSON[Item]) -> Response:
            return json(item.value.model_dump())

    elif key == s.ERROR:

        @router.get("/items/{int:id}")
        async def get_item(id: int) -> Response:
            if id != s.KNOWN_ITEM:
                raise NotFound(item_not_found(id))
            return json({"id": id})

    return _quiet(Application(router=router))
