"""get_current_user_optional / get_current_user_required, awaited or named as a parameter."""

from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.web import (
    LexigramApp,
    Request,
    get_current_user_optional,
    get_current_user_required,
    query,
)
from lexigram.web.testing import AsyncTestClient


class User:
    def __init__(self, name: str) -> None:
        self.name = name


class SetUserFromHeader:
    """A stand-in authentication middleware: ``X-User: ann`` authenticates ann."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", []):
            if name == b"x-user":
                scope.setdefault("state", {})["user"] = User(value.decode())
        await self.app(scope, receive, send)


def make_app() -> LexigramApp:
    app = LexigramApp(middleware=[SetUserFromHeader])

    @app.get("/me")
    async def me(user: Annotated[User, get_current_user_required]) -> dict[str, str]:
        return {"name": user.name}

    @app.get("/hello")
    async def hello(user: Any = get_current_user_optional) -> str:
        return "hello " + (user.name if user is not None else "guest")

    @app.get("/awaited")
    async def awaited(request: Request) -> str:
        user = await get_current_user_required(request)
        return str(user.name)

    return app


async def test_the_required_user_is_passed_to_the_handler() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/me", headers={"X-User": "ann"})
    assert response.json() == {"name": "ann"}


async def test_a_missing_required_user_is_a_401_problem_with_www_authenticate() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "authentication required"


async def test_the_optional_user_is_none_without_authentication() -> None:
    async with AsyncTestClient(make_app()) as client:
        guest = await client.get("/hello")
        ann = await client.get("/hello", headers={"X-User": "ann"})
    assert (guest.json(), ann.json()) == ("hello guest", "hello ann")


async def test_the_dependencies_can_be_awaited_with_the_request() -> None:
    async with AsyncTestClient(make_app()) as client:
        ann = await client.get("/awaited", headers={"X-User": "ann"})
        anonymous = await client.get("/awaited")
    assert ann.json() == "ann"
    assert anonymous.status_code == 401


async def test_a_user_set_in_the_scope_is_found_first() -> None:
    scope = {"type": "http", "user": "scope-user", "state": {"user": "state-user"}}
    assert await get_current_user_optional(SimpleNamespace(scope=scope)) == "scope-user"
    assert await get_current_user_optional(SimpleNamespace(scope={"state": {"user": 7}})) == 7


async def test_a_dependency_and_a_marker_on_one_parameter_fail_at_startup() -> None:
    app = LexigramApp()

    @app.get("/both")
    async def both(user: Annotated[Any, get_current_user_required, query()]) -> None:
        return None

    with pytest.raises(TypeError, match="has both a query\\(\\) marker and a dependency"):
        await app.startup()


async def test_the_dependency_is_not_a_query_parameter_in_the_openapi_document() -> None:
    app = make_app()
    async with AsyncTestClient(app):
        operation = app.openapi()["paths"]["/me"]["get"]
    assert "parameters" not in operation or operation["parameters"] == []
