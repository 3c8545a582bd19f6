"""The ``WebSocket`` wrapper handed to ``@websocket`` handlers."""

from __future__ import annotations

from typing import Any

from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

from ._json import dumps, loads

__all__ = ["WebSocket", "WebSocketDisconnect"]


class WebSocket(StarletteWebSocket):
    """Starlette's WebSocket with orjson for ``send_json``/``receive_json``."""

    async def send_json(self, data: Any, mode: str = "text") -> None:
        encoded = dumps(data)
        if mode == "binary":
            await self.send_bytes(encoded)
        else:
            await self.send_text(encoded.decode())

    async def receive_json(self, mode: str = "text") -> Any:
        if mode == "binary":
            return loads(await self.receive_bytes())
        return loads(await self.receive_text())
