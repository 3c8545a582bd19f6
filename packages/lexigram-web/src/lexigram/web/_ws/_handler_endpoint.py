"""The compiled endpoint of a ``websocket_handler`` class (see ``_ws_handler`` for the rules)."""

from __future__ import annotations

import logging
import typing
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Final

import anyio
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketState

from .._http.context import ExecutionContext
from .._http.websocket import WebSocket, decode_message
from .._pipeline.endpoint import Endpoint, EndpointParts
from ._hub import ConnectionHub
from .endpoint import close_for_exception, finish, handshake, shielded

if TYPE_CHECKING:
    from .handler import HandlerOptions, WebSocketHandler

__all__ = ["build_handler_endpoint"]

_log = logging.getLogger("lexigram.web")
TRY_AGAIN_LATER: Final = 1013
INTERNAL_ERROR: Final = 1011


def build_handler_endpoint(parts: EndpointParts, options: HandlerOptions) -> Endpoint:
    info = parts.info
    plan = parts.plan
    controller = parts.controller
    guards = tuple(parts.guards)
    settings = parts.settings
    container = parts.container
    status_map = parts.status_map
    debug = parts.debug
    hub = ConnectionHub(
        options.max_connections_per_user, parts.broadcaster, f"ws:{info.path}:{info.name}"
    )
    shared: WebSocketHandler | None = getattr(parts.call, "__self__", None)
    if controller is None and shared is not None:
        shared._attach(hub)  # pyright: ignore[reportPrivateUsage]
    needs_scope = (
        plan.needs_scope
        or (controller is not None and controller.needs_scope)
        or any(c.getter is not None for c in guards)
    )
    limit = options.max_connections_per_user
    max_size = options.max_message_size
    heartbeat = options.ping_interval is not None

    async def handler_for(ctx: ExecutionContext) -> WebSocketHandler:
        if controller is None:
            assert shared is not None
            return shared
        handler = controller.get(ctx.di_scope)
        if controller.is_async:
            handler = await handler
        built = typing.cast("WebSocketHandler", handler)
        built._attach(hub)  # pyright: ignore[reportPrivateUsage]
        return built

    async def endpoint(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        websocket = WebSocket(scope, receive, send, max_message_size=max_size)
        websocket.serialize_sends()
        ctx = ExecutionContext(scope, receive, send, params, info, settings)
        ctx.websocket = websocket
        di_scope = None
        handler: WebSocketHandler | None = None
        key: Hashable | None = None
        reserved = accepted = False
        try:
            if needs_scope:
                di_scope = ctx.di_scope = container.scope()
            if not await handshake(ctx, websocket, guards, status_map, debug):
                return
            handler = await handler_for(ctx)
            if limit is not None:
                key = handler.user_key(websocket)
                if not hub.reserve(key):
                    await websocket.accept()
                    await websocket.close(
                        TRY_AGAIN_LATER, f"too many connections for this user (limit {limit})"
                    )
                    return
                reserved = True
            kwargs = await plan.abind(ctx) if plan.has_async else plan.bind(ctx)
            await handler.on_connect(websocket, **kwargs)
            if websocket.application_state == WebSocketState.CONNECTING:
                await websocket.accept()
            if websocket.application_state != WebSocketState.CONNECTED:
                return
            accepted = True
            await hub.add(websocket)
            if heartbeat:
                await _session_with_heartbeat(handler, websocket, options)
            else:
                await _receive_loop(handler, websocket, None)
            await finish(websocket)
        except Exception as exc:
            await close_for_exception(websocket, exc, status_map, debug)
        finally:
            hub.discard(websocket)
            if reserved:
                hub.release(key)
            await _cleanup(ctx, handler if accepted else None, websocket, di_scope)

    return endpoint


async def _cleanup(
    ctx: ExecutionContext, handler: WebSocketHandler | None, websocket: WebSocket, di_scope: Any
) -> None:
    if handler is not None:
        if websocket.close_code is None:
            websocket.close_code = 1006  # ended without a close frame (e.g. cancelled)
        disconnect = handler.on_disconnect
        await shielded(f"{type(handler).__name__}.on_disconnect", lambda: disconnect(websocket))
    background = ctx.background
    if background is not None:
        await shielded("the websocket's background tasks", background.run)
    if di_scope is not None:
        await shielded("closing the websocket's DI scope", di_scope.aclose)


class _Pong:
    """The heartbeat's wait for a pong."""

    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event: anyio.Event | None = None


async def _receive_loop(
    handler: WebSocketHandler, websocket: WebSocket, pong: _Pong | None
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
    handler: WebSocketHandler, websocket: WebSocket, options: HandlerOptions
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
