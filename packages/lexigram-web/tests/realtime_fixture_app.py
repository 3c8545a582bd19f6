"""A LexigramApp with WebSocket handlers and event streams, served by the real-server tests
(``uvicorn realtime_fixture_app:app``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio

from lexigram.http_errors import UnauthorizedError
from lexigram.web import (
    LexigramApp,
    ServerSentEvent,
    WebSocket,
    WebSocketHandler,
    guard,
    singleton,
    sse,
    websocket_handler,
)


@singleton
class Stats:
    def __init__(self) -> None:
        self.open_streams = 0
        self.closed_streams = 0


class TokenGuard:
    def can_activate(self, context: Any) -> bool:
        if context.request.query_params.get("token") != "ok":
            raise UnauthorizedError("a token is required")
        return True


@singleton
@websocket_handler("/chat/{room}", max_connections_per_user=2, max_message_size=1024)
@guard(TokenGuard())
class ChatHandler(WebSocketHandler):
    def user_key(self, websocket: WebSocket) -> str | None:
        return websocket.query_params.get("user")

    async def on_connect(self, websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        await websocket.send_json({"joined": room})

    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        if message == "boom":
            raise RuntimeError("internal details")
        await self.broadcast({"from": websocket.query_params.get("user"), "said": message})


@websocket_handler("/live", ping_interval=0.05, ping_timeout=0.3)
class LiveHandler(WebSocketHandler):
    async def on_message(self, websocket: WebSocket, message: Any) -> None:
        await websocket.send_json({"echo": message})


@sse("/events", heartbeat=0.05, max_connections=2)
async def events(last_event_id: str | None, stats: Stats) -> AsyncIterator[ServerSentEvent]:
    stats.open_streams += 1
    try:
        start = int(last_event_id) + 1 if last_event_id else 1
        for n in range(start, start + 3):
            yield ServerSentEvent(data={"n": n}, id=str(n), event="count")
        await anyio.sleep_forever()
    finally:
        stats.open_streams -= 1
        stats.closed_streams += 1


app = LexigramApp(controllers=[ChatHandler, LiveHandler])
app.add_route(events)


@app.get("/ping")
async def ping() -> str:
    return "pong"


@app.get("/stats")
async def stats(stats: Stats, chat: ChatHandler) -> dict[str, int]:
    return {
        "open_streams": stats.open_streams,
        "closed_streams": stats.closed_streams,
        "chat_connections": len(chat.connections),
    }
