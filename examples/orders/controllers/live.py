"""Live order updates: ``GET /v2/orders/events`` (Server-Sent Events) and the
``/v2/orders/live`` WebSocket. Both start after the newest change, or after
``Last-Event-ID`` / ``?after=`` when a client resumes, and end after ``live_max_seconds``
(the client reconnects where it was)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from pydantic import Field

from lexigram.web import (
    Controller,
    EventSourceResponse,
    ServerSentEvent,
    WebSocket,
    WebSocketDisconnect,
    api_version,
    get,
    guard,
    header,
    roles,
    websocket,
)

from ..live import OrderFeed
from ..models import LiveEvent
from ..security import ApiKeyGuard
from ._common import READ

__all__ = ["LiveController"]

EventId = Annotated[int, Field(ge=0, le=2**63 - 1)]
RETRY_MS = 2000
_EVENT_STREAM = {"text/event-stream": {"schema": {"type": "string"}}}


@api_version(2)
@guard(ApiKeyGuard)
class LiveController(Controller):
    """Order changes as they happen, over Server-Sent Events and a WebSocket."""

    prefix = "/orders"

    def __init__(self, feed: OrderFeed) -> None:
        self.feed = feed

    @get("/events", responses={200: {"description": "Order changes", "content": _EVENT_STREAM}})
    @roles(READ)
    async def order_events(
        self, last_event_id: Annotated[EventId | None, header(alias="Last-Event-ID")] = None
    ) -> EventSourceResponse:
        """Order changes as Server-Sent Events (``event: order.created``, data: the change)."""
        after = await self.feed.latest_id() if last_event_id is None else last_event_id
        return EventSourceResponse(self._changes(after))

    async def _changes(self, after: int) -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(comment=f"changes after {after}", retry=RETRY_MS)
        async for change in self.feed.follow(after):
            yield ServerSentEvent(LiveEvent.of(change), event=change.type, id=str(change.id))

    @websocket("/live")
    @roles(READ)
    async def order_updates(self, socket: WebSocket, after: EventId | None = None) -> None:
        """Each order change as a JSON text message, until the client leaves (or the stream's
        time is up: then the socket closes normally and the client reconnects with ``?after=``
        the last id it saw)."""
        await socket.accept()
        start = await self.feed.latest_id() if after is None else after
        async with anyio.create_task_group() as group:

            async def until_the_client_leaves() -> None:
                try:
                    while True:
                        await socket.receive_text()
                except WebSocketDisconnect:
                    group.cancel_scope.cancel()

            group.start_soon(until_the_client_leaves)
            async for change in self.feed.follow(start):
                await socket.send_text(LiveEvent.of(change).model_dump_json())
            group.cancel_scope.cancel()
