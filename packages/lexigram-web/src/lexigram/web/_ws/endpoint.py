"""The compiled endpoint of a ``@websocket`` route, and the handshake/close rules it shares
with ``websocket_handler`` classes.

Handshake (before ``accept``): the route's guards run; a refusal, or any ``HTTPError`` /
validation error raised while binding, answers an HTTP problem+json (403 for a guard refusal)
when the server supports the ``websocket.http.response`` extension, and otherwise closes the
handshake with 1008 (policy violation; the server then answers 403).

After ``accept``: ``WebSocketException`` closes with its code and reason; an ``HTTPError``
closes with 1008 and its detail (1011 without detail for a 5xx); any other error is logged and
closes with 1011, with no reason unless the app runs in debug mode. A handler that returns
without closing has its connection closed with 1000; a session still open when the app shuts
down is cancelled and closed with 1001 (going away). Cleanup (background tasks, the DI scope)
runs even when the connection task is cancelled, bounded by ``CLEANUP_TIMEOUT`` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import anyio
from starlette.exceptions import WebSocketException as StarletteWebSocketException
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect, WebSocketState

from lexigram.http_errors import (
    ErrorStatusMap,
    HTTPError,
    WebSocketException,
)
from lexigram.http_errors import WebSocketDisconnect as PeerGone

from .._http.connections import GOING_AWAY, open_connections
from .._http.problem import as_http_error, problem_for
from .._http.websocket import DEFAULT_MAX_MESSAGE_SIZE, WebSocket
from .._observe.observation import note_server_error
from .._pipeline.core import Endpoint, EndpointCore, EndpointParts
from .._pipeline.error_responder import log_server_error, status_for

__all__ = [
    "CLEANUP_TIMEOUT",
    "HANDLER_OPTIONS",
    "build_websocket_endpoint",
    "cleanup",
    "close_for_exception",
    "finish",
    "run_session",
    "shielded",
]

_log = logging.getLogger("lexigram.web")
NORMAL_CLOSURE: Final = 1000
POLICY_VIOLATION: Final = 1008
INTERNAL_ERROR: Final = 1011
CLEANUP_TIMEOUT: Final = 5.0
HANDLER_OPTIONS: Final = "websocket_handler"
"""``RouteConfig.extra`` key of a ``websocket_handler`` class's options."""
_REASON_BYTES: Final = 123
_DENIAL_EXTENSION: Final = "websocket.http.response"


def _reason(text: str) -> str:
    """``text`` cut to fit a close frame (123 bytes of UTF-8)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= _REASON_BYTES:
        return text
    return encoded[:_REASON_BYTES].decode("utf-8", "ignore")


async def _close(websocket: WebSocket, code: int, reason: str = "") -> None:
    if websocket.application_state in (WebSocketState.DISCONNECTED, WebSocketState.RESPONSE):
        return
    if websocket.client_state == WebSocketState.DISCONNECTED:
        return  # the peer already closed: nothing to answer
    try:
        await websocket.close(code, _reason(reason))
    except Exception:
        _log.debug("could not close the websocket", exc_info=True)


async def deny(
    websocket: WebSocket, error: Exception, status_map: ErrorStatusMap | None, debug: bool
) -> None:
    """Refuse the handshake: a problem+json HTTP answer if the server can send one, else 1008."""
    if websocket.application_state != WebSocketState.CONNECTING:
        await close_for_exception(websocket, error, status_map, debug)
        return
    scope = websocket.scope
    if _DENIAL_EXTENSION in scope.get("extensions", {}):
        rendered = problem_for(error, scope, status_map=status_map, debug=debug)
        try:
            await websocket.send(
                {
                    "type": "websocket.http.response.start",
                    "status": rendered.status,
                    "headers": rendered.headers,
                }
            )
            await websocket.send({"type": "websocket.http.response.body", "body": rendered.body})
        except Exception:
            _log.debug("could not send the handshake denial", exc_info=True)
        return
    code = INTERNAL_ERROR if status_for(error, status_map) >= 500 else POLICY_VIOLATION
    await _close(websocket, code)


async def close_for_exception(
    websocket: WebSocket, error: BaseException, status_map: ErrorStatusMap | None, debug: bool
) -> None:
    """Close the connection the way ``error`` calls for (see the module docstring)."""
    if isinstance(error, WebSocketDisconnect | PeerGone):
        return
    error = as_http_error(error)
    if isinstance(error, WebSocketException | StarletteWebSocketException):
        await _close(websocket, error.code, error.reason or "")
        return
    if websocket.application_state == WebSocketState.CONNECTING and isinstance(error, Exception):
        status = status_for(error, status_map)
        if status >= 500:
            log_server_error(error, status, "WEBSOCKET", websocket.url.path)
        await deny(websocket, error, status_map, debug)
        return
    if isinstance(error, Exception) and status_for(error, status_map) < 500:
        await _close(
            websocket,
            POLICY_VIOLATION,
            error.detail if isinstance(error, HTTPError) else str(error),
        )
        return
    if isinstance(error, HTTPError):
        log_server_error(error, error.status_code, "WEBSOCKET", websocket.url.path)
    else:
        note_server_error(error)
        _log.error("websocket %s failed", websocket.url.path, exc_info=error)
    reason = f"{type(error).__name__}: {error}" if debug else ""
    await _close(websocket, INTERNAL_ERROR, reason)


async def finish(websocket: WebSocket) -> None:
    """After the handler returned: close an open connection with 1000 (a never-accepted
    handshake is refused)."""
    if websocket.application_state == WebSocketState.CONNECTED:
        await _close(websocket, NORMAL_CLOSURE)
    elif websocket.application_state == WebSocketState.CONNECTING:
        await _close(websocket, POLICY_VIOLATION)


async def run_session(websocket: WebSocket, session: Callable[[], Awaitable[None]]) -> None:
    """Run an accepted connection's ``session``, then ``finish``; when the app shuts down
    first, the session is cancelled and the connection closed with 1001 (going away)."""
    connections = open_connections(websocket.scope)
    if connections is None:
        await session()
    else:
        with connections.track() as live:
            await session()
        if live.cancelled_caught:
            await _close(websocket, GOING_AWAY, "the server is shutting down")
            return
    await finish(websocket)


async def shielded(label: str, step: Callable[[], Awaitable[Any]]) -> None:
    """Run a cleanup ``step`` even inside a cancelled task, for at most ``CLEANUP_TIMEOUT``
    seconds; its failure is logged."""
    try:
        with anyio.move_on_after(CLEANUP_TIMEOUT, shield=True) as scope:
            await step()
        if scope.cancelled_caught:
            _log.error("%s did not finish within %ss", label, CLEANUP_TIMEOUT)
    except Exception:
        _log.exception("%s failed", label)


def build_websocket_endpoint(parts: EndpointParts) -> Endpoint:
    """The endpoint of a ``@websocket`` function or method (or of a handler class)."""
    config = parts.info.config
    extra: Any = config.extra if config is not None else {}
    handler_options = extra.get(HANDLER_OPTIONS)
    if handler_options is not None:
        handler_endpoint: Endpoint = handler_options.build_endpoint(parts)
        return handler_endpoint
    max_size: int | None = extra.get("max_message_size", DEFAULT_MAX_MESSAGE_SIZE)
    core = EndpointCore(parts)
    info = parts.info
    settings = parts.settings
    status_map = parts.status_map
    debug = parts.debug

    async def endpoint(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        websocket = WebSocket(
            scope, receive, send, max_message_size=max_size, settings=settings, route=info,
            path_params=params,
        )  # fmt: skip
        try:
            core.open_scope(websocket)
            await core.check_guards(websocket)
            kwargs = await core.arguments(websocket)
            target = await core.target(websocket)
            await run_session(websocket, lambda: target(**kwargs))
        except Exception as exc:
            await close_for_exception(websocket, exc, status_map, debug)
        finally:
            await cleanup(websocket)

    return endpoint


async def cleanup(websocket: WebSocket) -> None:
    """After the connection: its background tasks, then its DI scope (each shielded)."""
    background = websocket.background
    if background is not None:
        await shielded("the websocket's background tasks", background.run)
    di_scope = websocket.di_scope
    if di_scope is not None:
        await shielded("closing the websocket's DI scope", di_scope.aclose)
