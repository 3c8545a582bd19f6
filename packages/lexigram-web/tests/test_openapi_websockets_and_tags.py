"""WebSocket routes are listed under ``x-websockets``; a tag is described only by its own
controller's docstring."""

from __future__ import annotations

from typing import Any

from lexigram.web import (
    Controller,
    LexigramApp,
    WebSocket,
    WebSocketHandler,
    get,
    websocket,
    websocket_handler,
)
from lexigram.web.testing import AsyncTestClient


class Plain(Controller):
    prefix = "/plain"

    @get("")
    async def show(self) -> int:
        return 1


class Described(Controller):
    """Orders placed by customers.

    More words that stay out of the tag."""

    prefix = "/described"

    @get("")
    async def show(self) -> int:
        return 2


class Rooms(Controller):
    prefix = "/rooms"

    @websocket("/{room}", summary="Join a room", tags=["chat"])
    async def join(self, socket: WebSocket, room: str, nick: str = "anon") -> None:
        await socket.accept()


@websocket_handler("/live")
class Live(WebSocketHandler):
    """Live order updates.

    Sends one JSON message per change."""


async def _document(app: LexigramApp) -> dict[str, Any]:
    async with AsyncTestClient(app) as client:
        document: dict[str, Any] = (await client.get("/openapi.json")).json()
    return document


async def test_a_controller_without_a_docstring_gives_its_tag_no_description() -> None:
    document = await _document(LexigramApp(controllers=[Plain, Described]))
    assert document["tags"] == [
        {"name": "Plain"},
        {"name": "Described", "description": "Orders placed by customers."},
    ]


async def test_websocket_routes_are_listed_under_x_websockets() -> None:
    document = await _document(LexigramApp(controllers=[Rooms, Live]))
    assert document["x-websockets"] == {
        "/rooms/{room}": {
            "name": "Rooms.join",
            "summary": "Join a room",
            "tags": ["chat"],
            "parameters": [
                {"name": "room", "in": "path", "required": True},
                {"name": "nick", "in": "query", "required": False},
            ],
        },
        "/live": {
            "name": "Live.on_connect",
            "summary": "Live order updates.",
            "description": "Sends one JSON message per change.",
        },
    }
    assert "/rooms/{room}" not in document["paths"]


async def test_a_websocket_left_out_of_the_schema_is_not_listed() -> None:
    app = LexigramApp()

    @app.websocket("/shown")
    async def shown(socket: WebSocket) -> None:
        await socket.accept()

    @app.websocket("/hidden", include_in_schema=False)
    async def hidden(socket: WebSocket) -> None:
        await socket.accept()

    assert list((await _document(app))["x-websockets"]) == ["/shown"]
