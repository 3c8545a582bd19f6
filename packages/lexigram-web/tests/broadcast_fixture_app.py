"""An app whose WebSocket handler and event stream go through the app's broadcaster, served by
the cross-process tests (``uvicorn broadcast_fixture_app:app``; the ``broadcast`` section comes
from ``LEXIGRAM_WEB__BROADCAST__*``)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

from lexigram.web import (
    Broadcaster,
    LexigramApp,
    ServerSentEvent,
    WebSocket,
    WebSocketHandler,
    load_web_config,
    singleton,
    websocket_handler,
)


@singleton
@websocket_handler("/room")
class Room(WebSocketHandler):
    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"host": os.getpid()})

    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        await self.broadcast(message)


app = LexigramApp(config=load_web_config(), controllers=[Room])


@app.sse("/follow", heartbeat=None)
async def follow(broadcaster: Broadcaster) -> AsyncIterator[ServerSentEvent]:
    async with broadcaster.subscribe("news") as messages:
        yield ServerSentEvent(comment="following")
        async for message in messages:
            yield ServerSentEvent(message.decode(), event="news")


@app.post("/news")
async def news(text: str, broadcaster: Broadcaster) -> int:
    return await broadcaster.publish("news", text.encode())


@app.post("/say")
async def say(text: str, room: Room) -> int:
    return await room.broadcast({"said": text})


@app.get("/ping")
async def ping() -> int:
    return os.getpid()
