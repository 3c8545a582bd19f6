"""A LexigramApp holding endless connections (an event stream, a WebSocket handler class and a
WebSocket function), served by the graceful-shutdown tests (``lexigram run``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio

from lexigram.web import LexigramApp, ServerSentEvent, WebSocket, WebSocketHandler, sse
from lexigram.web import websocket_handler as websocket_handler_class


@websocket_handler_class("/chat")
class ChatHandler(WebSocketHandler):
    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        await websocket.send_json({"said": message})


@sse("/events", heartbeat=None)
async def events() -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(data="hello", id="1")
    await anyio.sleep_forever()


app = LexigramApp(controllers=[ChatHandler])
app.add_route(events)


@app.websocket("/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        await websocket.send_text(await websocket.receive_text())


@app.get("/ping")
async def ping() -> str:
    return "pong"
