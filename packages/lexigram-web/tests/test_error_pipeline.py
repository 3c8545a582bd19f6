"""The error pipeline keeps its promises: a filter's plain answer keeps the error's own
headers and is not checked against the route's model; the route's own filter is asked before
the app's; ``@roles`` challenges anonymous callers; route conflicts raise
``RouteConflictError``; a stream that fails after its headers is aborted, never answered
twice; pipe classes are built at startup; a guard shared by two apps serves each with its own
authorizer."""

from collections.abc import AsyncIterator, MutableMapping, Sequence
from typing import Any

import pytest
from pydantic import BaseModel

from lexigram.http_errors import TooManyRequestsError, UnauthorizedError
from lexigram.web import (
    AuthorizerProtocol,
    ConfigurationError,
    LexigramApp,
    ParseIntPipe,
    RouteConflictError,
    StreamingResponse,
    roles,
)
from lexigram.web.testing import AsyncTestClient


class Item(BaseModel):
    id: int
    name: str


class AppError(Exception):
    pass


class OrderError(AppError):
    pass


def as_text(request: Any, exc: Exception) -> dict[str, str]:
    return {"error": type(exc).__name__}


async def test_a_filter_answering_a_plain_value_keeps_the_error_headers() -> None:
    app = LexigramApp(exception_handlers={405: as_text})

    @app.get("/challenge", exception_handlers={UnauthorizedError: as_text})
    async def challenge() -> None:
        raise UnauthorizedError("who are you", www_authenticate="Bearer")

    @app.get("/slow", exception_handlers={TooManyRequestsError: as_text})
    async def slow() -> None:
        raise TooManyRequestsError("slow down", retry_after=7)

    async with AsyncTestClient(app) as client:
        challenged = await client.get("/challenge")
        throttled = await client.get("/slow")
        wrong_method = await client.delete("/slow")
    assert (challenged.status_code, challenged.json()) == (401, {"error": "UnauthorizedError"})
    assert challenged.headers["www-authenticate"] == "Bearer"
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "7")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "GET, HEAD"
    assert wrong_method.json() == {"error": "MethodNotAllowedError"}


async def test_a_filter_value_is_not_validated_against_the_route_response_model() -> None:
    app = LexigramApp()

    @app.get("/items/{id:int}", response_model=Item, exception_handlers={KeyError: as_text})
    async def item(id: int) -> Item:
        raise KeyError(id)

    async with AsyncTestClient(app) as client:
        response = await client.get("/items/3")
    assert response.status_code == 500
    assert response.json() == {"error": "KeyError"}


async def test_the_route_filter_for_a_base_class_is_asked_before_the_app_filter() -> None:
    def from_app(request: Any, exc: Exception) -> dict[str, str]:
        return {"by": "app"}

    def from_route(request: Any, exc: Exception) -> dict[str, str]:
        return {"by": "route"}

    app = LexigramApp(exception_handlers={OrderError: from_app})

    @app.get("/orders", exception_handlers={AppError: from_route})
    async def orders() -> None:
        raise OrderError()

    async with AsyncTestClient(app) as client:
        response = await client.get("/orders")
    assert response.json() == {"by": "route"}


async def test_roles_challenges_an_anonymous_caller_with_www_authenticate() -> None:
    app = LexigramApp()

    class Everyone:
        def has_any_role(self, user: Any, roles: Sequence[str]) -> bool:
            return True

    app.container.singleton(AuthorizerProtocol, instance=Everyone())

    @app.get("/admin")
    @roles("admin")
    async def admin() -> str:
        return "ok"

    async with AsyncTestClient(app) as client:
        response = await client.get("/admin")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_route_conflict_raises_route_conflict_error_at_startup() -> None:
    app = LexigramApp()

    @app.get("/same")
    async def one() -> str:
        return "1"

    @app.get("/same", name="other")
    async def two() -> str:
        return "2"

    with pytest.raises(RouteConflictError, match="duplicate route GET '/same'"):
        await app.startup()


async def test_a_stream_failing_after_its_headers_is_aborted_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = LexigramApp()

    async def chunks() -> AsyncIterator[bytes]:
        yield b"first"
        raise RuntimeError("the disk went away")

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(chunks(), media_type="text/plain")

    messages: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http", "method": "GET", "path": "/export", "query_string": b"",
        "headers": [], "asgi": {"spec_version": "2.4"},
    }  # fmt: skip
    async with app.lifespan():
        await app(scope, receive, send)
    starts = [m for m in messages if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [200]
    assert [m.get("more_body") for m in messages if m["type"] == "http.response.body"] == [True]
    errors = [r for r in caplog.records if r.name == "lexigram.web" and r.levelno >= 30]
    assert len(errors) == 1 and errors[0].exc_info is not None


async def test_a_pipe_given_as_a_class_is_built_at_startup() -> None:
    app = LexigramApp(pipes=[ParseIntPipe])

    @app.get("/double")
    async def double(n: int) -> int:
        return n * 2

    async with AsyncTestClient(app) as client:
        response = await client.get("/double", params={"n": "21"})
    assert (response.status_code, response.json()) == (200, 42)


async def test_something_that_is_not_a_pipe_is_refused_at_startup() -> None:
    app = LexigramApp(pipes=[object()])

    @app.get("/x")
    async def x(n: int = 0) -> int:
        return n

    with pytest.raises(ConfigurationError, match="transform\\(value, metadata\\) method"):
        await app.startup()


async def test_a_roles_guard_shared_by_two_apps_uses_each_app_authorizer() -> None:
    class Fixed:
        def __init__(self, answer: bool) -> None:
            self.answer = answer

        def has_any_role(self, user: Any, roles: Sequence[str]) -> bool:
            return self.answer

    class SetUser:
        def can_activate(self, context: Any) -> bool:
            context.scope["user"] = {"id": 1}
            return True

    admins_only = roles("admin")
    statuses = []
    for answer in (True, False):

        @admins_only
        async def admin() -> str:
            return "ok"

        app = LexigramApp(guards=[SetUser()])
        app.container.singleton(AuthorizerProtocol, instance=Fixed(answer))
        app.get("/admin")(admin)
        async with AsyncTestClient(app) as client:
            statuses.append((await client.get("/admin")).status_code)
    assert statuses == [200, 403]
