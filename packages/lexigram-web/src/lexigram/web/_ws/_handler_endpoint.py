"""The compiled endpoint of a ``websocket_handler`` class (see ``_ws_handler`` for the rules)."""

from __future__ import annotations

import logging
import typing
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Final

import anyio
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketState

from .._http.websocket import WebSocket, decode_message
from .._pipeline.core import Endpoint, EndpointCore, EndpointParts
from ._hub import ConnectionHub
from .endpoint import cleanup, close_for_exception, run_session, shielded

if TYPE_CHECKING:
    from .handler import AbstractWebSocketHandler, HandlerOptions

__all__ = ["build_handler_endpoint"]

_log = logging.getLogger("lexigram.web")
TRY_AGAIN_LATER: Final = 1013
INTERNAL_ERROR: Final = 1011


def build_handler_endpoint(parts: EndpointParts, options: HandlerOptions) -> Endpoint:
    core = EndpointCore(parts)
    info = parts.info
    settings = parts.settings
    status_map = parts.status_map
    debug = parts.debug
    hub = ConnectionHub(
        options.max_connections_per_user, parts.broadcaster, f"ws:{info.path}:{info.name}"
    )
    shared: AbstractWebSocketHandler | None = getattr(parts.call, "__self__", None)
    if parts.controller is None and shared is not None:
        shared._attach(hub)  # pyright: ignore[reportPrivateUsage]
    limit = options.max_connections_per_user
    max_size = options.max_message_size
    heartbeat = options.ping_interval is not None

    async def handler_for(websocket: WebSocket) -> AbstractWebSocketHandler:
        built = await core.controller_for(websocket)
        if built is None:
            assert shared is not None
            return shared
        handler = typing.cast("AbstractWebSocketHandler", built)
        handler._attach(hub)  # pyright: ignore[reportPrivateUsage]
        return handler

    async def endpoint(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        websocket = WebSocket(
            scope, receive, send, max_message_size=max_size, settings=settings, route=info,
            path_params=params,
        )  # fmt: skip
        websocket.serialize_sends()
        handler: AbstractWebSocketHandler | None = None
        key: Hashable | None = None
        reserved = accepted = False
        try:
            core.open_scope(websocket)
            await core.check_guards(websocket)
            handler = await handler_for(websocket)
            if limit is not None:
                key = handler.user_key(websocket)
                if not hub.reserve(key):
                    await websocket.accept()
                    await websocket.close(
                        TRY_AGAIN_LATER, f"too many connections for this user (limit {limit})"
                    )
                    return
                reserved = True
            await handler.on_connect(websocket, **await core.arguments(websocket))
            if websocket.application_state == WebSocketState.CONNECTING:
                await websocket.accept()
            if websocket.application_state != WebSocketState.CONNECTED:
                return
            accepted = True
            await hub.add(websocket)
            session = handler

            async def run() -> None:
                if heartbeat:
                    await _session_with_heartbeat(session, websocket, options)
                else:
                    await _receive_loop(session, websocket, None)

            await run_session(websocket, run)
        except Exception as exc:
            await close_for_exception(websocket, exc, status_map, debug)
        finally:
            hub.discard(websocket)
            if reserved:
                hub.release(key)
            if accepted and handler is not None:
                await _disconnected(handler, websocket)
            await cleanup(websocket)

    return endpoint


async def _disconnected(handler: AbstractWebSocketHandler, websocket: WebSocket) -> None:
    if websocket.close_code is None:
        websocket.close_code = 1006  # ended without a close frame (e.g. cancelled)
    disconnect = handler.on_disconnect
    await shielded(f"{type(handler).__name__}.on_disconnect", lambda: disconnect(websocket))


class _Pong:
    """The heartbeat's wait for a pong."""

    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event: anyio.Event | None = None


async def _receive_loop(
    handler: AbstractWebSocketHandler, websocket: WebSocket, pong: _Pong | None
) -> None:
    encoding = handler.encoding
    on_message = handler.on_message
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = decode_message(message, encoding)
        if pong is not None and handler.is_pong(data):
            if pong.event is not None:
                pong.event.set()
            continue
        await on_message(websocket, data)


async def _session_with_heartbeat(
    handler: AbstractWebSocketHandler, websocket: WebSocket, options: HandlerOptions
) -> None:
    interval = options.ping_interval
    timeout = options.ping_timeout
    assert interval is not None and timeout is not None
    pong = _Pong()
    failure: Exception | None = None

    async def beat(scope: anyio.CancelScope) -> None:
        ping = handler.ping_message()
        frame: dict[str, Any] = (
            {"type": "websocket.send", "bytes": ping}
            if isinstance(ping, bytes)
            else {"type": "websocket.send", "text": ping}
        )
        try:
            while True:
                await anyio.sleep(interval)
                pong.event = anyio.Event()
                await websocket.send(frame)
                with anyio.move_on_after(timeout):
                    await pong.event.wait()
                if not pong.event.is_set():
                    scope.cancel()
                    with anyio.CancelScope(shield=True):
                        await websocket.close(INTERNAL_ERROR, "ping timeout")
                    return
        except Exception:
            _log.debug("websocket heartbeat stopped", exc_info=True)
            scope.cancel()

    async with anyio.create_task_group() as group:
        group.start_soon(beat, group.cancel_scope)
        try:
            await _receive_loop(handler, websocket, pong)
        except Exception as exc:
            failure = exc
        group.cancel_scope.cancel()
    if failure is not None:
        raise failure
