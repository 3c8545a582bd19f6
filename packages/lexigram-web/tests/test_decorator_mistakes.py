"""Decorator mistakes fail when the decorator runs (or at startup), naming the fix."""

from __future__ import annotations

from typing import Any

import pytest

from lexigram.web import (
    ConfigurationError,
    Controller,
    LexigramApp,
    Request,
    WebSocket,
    WebSocketHandler,
    controller,
    get,
    guard,
    path,
    post,
    roles,
    sse,
    throttle,
    use_interceptors,
    use_pipes,
    websocket,
    websocket_handler,
)
from lexigram.web.testing import AsyncTestClient


def test_a_misspelt_route_keyword_names_the_keyword_it_resembles() -> None:
    with pytest.raises(TypeError, match="unknown keyword 'status_cod': did you mean 'status_code'"):
        post("/x", status_cod=201)  # type: ignore[call-arg]


def test_a_misspelt_keyword_on_the_app_decorator_is_refused_too() -> None:
    app = LexigramApp()
    with pytest.raises(TypeError, match="'respones_model': did you mean 'response_model'"):
        app.get("/x", respones_model=dict)  # type: ignore[call-arg]


def test_an_unrelated_keyword_lists_the_valid_ones() -> None:
    with pytest.raises(TypeError, match=r"unknown keyword 'colour'; valid keywords: .*status_code"):
        get("/x", colour="blue")  # type: ignore[call-arg]


def test_http_route_keywords_are_refused_on_a_websocket_route() -> None:
    with pytest.raises(TypeError, match=r"@websocket\('/ws'\): unknown keyword 'status_code'"):
        websocket("/ws", status_code=201)  # type: ignore[call-arg]


def test_sse_and_websocket_handler_refuse_unknown_keywords_with_a_suggestion() -> None:
    with pytest.raises(TypeError, match="'heartbeats': did you mean 'heartbeat'"):
        sse("/events", heartbeats=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'ping_intervall': did you mean 'ping_interval'"):
        websocket_handler("/ws", ping_intervall=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unknown keyword 'response_model'"):
        sse("/events", response_model=dict)


def test_a_bare_route_decorator_is_refused_naming_the_fix() -> None:
    with pytest.raises(TypeError, match=r'@get was applied to .*without a path.*@get\("/path"\)'):

        @get  # type: ignore[arg-type]
        async def items() -> list[int]:
            return []

    app = LexigramApp()
    with pytest.raises(TypeError, match=r"@post was applied to .*without a path"):

        @app.post  # type: ignore[arg-type]
        async def create() -> None: ...


def test_a_bare_sse_or_websocket_handler_decorator_is_refused() -> None:
    with pytest.raises(TypeError, match=r"@sse was applied to .*without a path"):

        @sse  # type: ignore[arg-type]
        async def events() -> Any:
            yield 1

    with pytest.raises(TypeError, match=r"@websocket_handler was applied to .*without a path"):

        @websocket_handler  # type: ignore[arg-type]
        class Chat(WebSocketHandler):
            pass


async def test_a_route_decorator_without_a_path_serves_the_controller_prefix() -> None:
    class Items(Controller):
        prefix = "/items"

        @get()
        async def list_items(self) -> list[int]:
            return [1, 2]

    app = LexigramApp(controllers=[Items])
    async with AsyncTestClient(app) as client:
        response = await client.get("/items")
    assert response.json() == [1, 2]


def test_bare_metadata_decorators_are_refused() -> None:
    async def handler() -> None: ...

    with pytest.raises(TypeError, match="not bare @guard"):
        guard(handler)
    with pytest.raises(TypeError, match="not bare @use_interceptors"):
        use_interceptors(handler)
    with pytest.raises(TypeError, match="not bare @use_pipes"):
        use_pipes(handler)
    with pytest.raises(TypeError, match="not bare @roles"):
        roles(handler)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not bare @throttle"):
        throttle(handler)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not bare @controller"):
        controller(Controller)  # type: ignore[arg-type]


async def test_a_path_variable_without_a_parameter_fails_at_startup() -> None:
    app = LexigramApp()

    @app.get("/users/{user_id:int}")
    async def user(id: int) -> int:
        return id

    with pytest.raises(ConfigurationError) as caught:
        await app.startup()
    message = str(caught.value)
    assert "path variable {user_id} has no handler parameter" in message
    assert "did you mean to name parameter 'id' 'user_id'?" in message


async def test_a_path_variable_with_no_similar_parameter_names_the_parameter_to_add() -> None:
    class Orders(Controller):
        prefix = "/orders/{order_id:int}"

        @get("/lines")
        async def lines(self) -> list[int]:
            return []

    app = LexigramApp(controllers=[Orders])
    with pytest.raises(ConfigurationError, match="add a parameter `order_id: int`"):
        await app.startup()


async def test_a_path_variable_bound_through_an_alias_is_accepted() -> None:
    app = LexigramApp()

    @app.get("/users/{user_id}")
    async def user(ident: str = path(alias="user_id")) -> str:
        return ident

    async with AsyncTestClient(app) as client:
        response = await client.get("/users/7")
    assert response.json() == "7"


async def test_a_misnamed_websocket_parameter_fails_at_startup() -> None:
    app = LexigramApp()

    @app.websocket("/rooms/{room_name}")
    async def room(socket: WebSocket, name: str) -> None:
        await socket.accept()

    with pytest.raises(ConfigurationError, match=r"\{room_name\} has no handler parameter"):
        await app.startup()


async def test_a_handler_taking_the_request_may_read_a_path_variable_itself() -> None:
    app = LexigramApp()

    @app.get("/rooms/{room}")
    async def room(request: Request) -> str:
        return str(request.path_params["room"])

    async with AsyncTestClient(app) as client:
        response = await client.get("/rooms/lobby")
    assert response.json() == "lobby"


async def test_a_misnamed_parameter_is_refused_even_beside_the_request() -> None:
    app = LexigramApp()

    @app.get("/users/{user_id:int}")
    async def user(request: Request, id: int) -> int:
        return id

    with pytest.raises(ConfigurationError, match="did you mean to name parameter 'id'"):
        await app.startup()
