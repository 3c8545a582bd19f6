"""``WebSocket``: the execution context of a WebSocket route, with limits and clear closes.

Bad input never surfaces as a bare ``KeyError`` or ``JSONDecodeError``: each receive method
raises ``WebSocketException`` with the close code the endpoint then closes with:

- a message larger than ``max_message_size`` -> 1009 (message too big);
- a binary frame where text is expected (or the reverse) -> 1003 (unsupported data);
- ``receive_json`` on a message that is not JSON -> 1007 (invalid payload data).
"""

from __future__ import annotations

from typing import Any, Final

import anyio
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

from lexigram.http_errors import WebSocketDisconnect as PeerClosed
from lexigram.http_errors import WebSocketException

from .context import ExecutionContext, RouteInfo
from .json import dumps, loads
from .settings import RequestSettings

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "PeerDisconnect",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "decode_message",
]

DEFAULT_MAX_MESSAGE_SIZE: Final = 1024 * 1024
"""Default limit of one received message on ``@websocket`` routes and handler classes."""

_ABNORMAL_CLOSURE: Final = 1006


class PeerDisconnect(WebSocketDisconnect, PeerClosed):
    """The peer closed the WebSocket (``code``, ``reason``): what the web layer raises. It is
    Starlette's ``WebSocketDisconnect`` (``lexigram.web.WebSocketDisconnect``, also what the
    test client raises) and ``lexigram.http_errors.WebSocketDisconnect``, so ``except`` on
    either name catches it."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        if isinstance(code, bool) or not 1000 <= code <= 4999:
            code = _ABNORMAL_CLOSURE
        PeerClosed.__init__(self, code, reason or "")


MESSAGE_TOO_BIG: Final = 1009
UNSUPPORTED_DATA: Final = 1003
INVALID_PAYLOAD: Final = 1007


def _payload(message: Message, kind: str) -> Any:
    """The ``text`` (``kind="text"``) or ``bytes`` payload, or 1003 for the other kind."""
    value = message.get(kind)
    if value is None:
        expected = "a text" if kind == "text" else "a binary"
        raise WebSocketException(UNSUPPORTED_DATA, f"expected {expected} message")
    return value


def decode_message(message: Message, encoding: str | None) -> Any:
    """Decode a ``websocket.receive`` message: ``"text"``, ``"bytes"``, ``"json"`` (text or
    binary frames), or ``None`` (the raw ``str`` or ``bytes``)."""
    if encoding == "json":
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes")
        try:
            return loads(raw if raw is not None else b"")
        except ValueError:
            raise WebSocketException(INVALID_PAYLOAD, "message is not valid JSON") from None
    if encoding == "text":
        return _payload(message, "text")
    if encoding == "bytes":
        return _payload(message, "bytes")
    text = message.get("text")
    return text if text is not None else message.get("bytes", b"")


class WebSocket(ExecutionContext, StarletteWebSocket):
    """Starlette's WebSocket with orjson JSON, a message size limit and close bookkeeping.

    On a WebSocket route it is the ``ExecutionContext`` too: the route's guards receive it.

    Build it from an ASGI ``(scope, receive, send)`` or wrap an existing Starlette
    ``WebSocket`` (``WebSocket(starlette_socket)``). ``max_message_size`` (bytes, ``None`` for
    no limit) bounds every received message. ``close_code`` / ``close_reason`` tell how the
    connection ended once it has: the peer's code, the one the app closed with, or ``None``
    while it is open.
    """

    def __init__(
        self,
        scope: Scope | StarletteWebSocket,
        receive: Receive | None = None,
        send: Send | None = None,
        *,
        max_message_size: int | None = None,
        settings: RequestSettings | None = None,
        route: RouteInfo | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(scope, StarletteWebSocket):
            wrapped = scope
            receive = wrapped._receive
            send = wrapped._send
            super().__init__(wrapped.scope, receive, send)
            self.client_state = wrapped.client_state
            self.application_state = wrapped.application_state
        else:
            if receive is None or send is None:
                raise TypeError("WebSocket(scope, receive, send) needs receive and send")
            super().__init__(scope, receive, send)
        if max_message_size is not None and max_message_size < 1:
            raise ValueError(f"max_message_size must be at least 1, got {max_message_size}")
        self.max_message_size = max_message_size
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._send_lock: anyio.Lock | None = None
        self._init_context(settings, route, path_params)

    def serialize_sends(self) -> None:
        """Make concurrent sends (heartbeat, broadcasts, the handler) go out one at a time."""
        if self._send_lock is None:
            self._send_lock = anyio.Lock()

    async def receive(self) -> Message:
        message = await super().receive()
        kind = message["type"]
        if kind == "websocket.receive":
            limit = self.max_message_size
            if limit is not None:
                text = message.get("text")
                if text is not None:
                    size = len(text) if len(text) * 4 <= limit else len(text.encode("utf-8"))
                else:
                    size = len(message.get("bytes") or b"")
                if size > limit:
                    raise WebSocketException(
                        MESSAGE_TOO_BIG, f"message exceeds the {limit}-byte limit"
                    )
        elif kind == "websocket.disconnect" and self.close_code is None:
            self.close_code = int(message.get("code", 1005))
            self.close_reason = message.get("reason") or ""
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "websocket.close" and self.close_code is None:
            self.close_code = int(message.get("code", 1000))
            self.close_reason = message.get("reason") or ""
        lock = self._send_lock
        try:
            if lock is None:
                await super().send(message)
                return
            async with lock:
                await super().send(message)
        except PeerDisconnect:
            raise
        except WebSocketDisconnect as gone:
            raise PeerDisconnect(gone.code, gone.reason) from None

    async def _receive_data(self) -> Message:
        message = await self.receive()
        if message["type"] == "websocket.disconnect":
            raise PeerDisconnect(message.get("code", 1000), message.get("reason"))
        return message

    async def receive_text(self) -> str:
        """The next text message (1003 for a binary one)."""
        text: str = decode_message(await self._receive_data(), "text")
        return text

    async def receive_bytes(self) -> bytes:
        """The next binary message (1003 for a text one)."""
        data: bytes = decode_message(await self._receive_data(), "bytes")
        return data

    async def receive_json(self, mode: str = "text") -> Any:
        """The next message decoded as JSON (text or binary frame; 1007 if it is not JSON)."""
        return decode_message(await self._receive_data(), "json")

    async def send_json(self, data: Any, mode: str = "text") -> None:
        """Send ``data`` as JSON (orjson): a text frame, or a binary one with ``mode="binary"``."""
        encoded = dumps(data)
        if mode == "binary":
            await self.send_bytes(encoded)
        else:
            await self.send_text(encoded.decode())
