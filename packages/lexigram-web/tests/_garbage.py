"""Counting what requests leave for the cyclic garbage collector (raw ASGI calls, no client)."""

from __future__ import annotations

import gc
from typing import Any

from starlette.types import Message

from lexigram.web import LexigramApp


class _Cycle:
    """A request as servers keep it: its ``send`` is a method of an object holding the scope
    (uvicorn's ``RequestResponseCycle``), so a scope entry holding the send would be a
    cycle."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope

    async def send(self, message: Message) -> None:
        return None


async def garbage_per_request(app: LexigramApp, path: str, count: int = 50) -> float:
    """Objects the cyclic collector frees per request of ``GET path`` (after a warm-up)."""

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def one() -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": [(b"host", b"testserver")],
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        }  # fmt: skip
        await app(scope, receive, _Cycle(scope).send)

    await app.startup()
    try:
        for _ in range(5):
            await one()
        gc.collect()
        gc.disable()
        try:
            for _ in range(count):
                await one()
            found = gc.collect()
        finally:
            gc.enable()
    finally:
        await app.shutdown()
    return found / count
