"""The innermost ASGI callable of a started app: route lookup, then the route's endpoint.

Static paths are one dict lookup; everything else walks the router's trie. Unknown paths and
methods answer 404/405 problems (through the app's exception filters when one matches).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import Receive, Scope, Send

from lexigram.http_errors import BadRequestError, HTTPError, MethodNotAllowedError, NotFoundError

from ._compiled import CompiledApp
from ._http.render import Renderer
from ._pipeline.error_responder import (
    ErrorResponder,
    log_server_error,
    send_problem,
    status_for,
)

__all__ = ["Dispatcher"]


class Dispatcher:
    """Routes one request to its compiled endpoint."""

    __slots__ = ("_debug", "_lookup", "_responder", "_settings", "_static", "_status_map")

    def __init__(self, compiled: CompiledApp, debug: bool) -> None:
        self._static = compiled.router.static_routes
        self._lookup = compiled.router.lookup
        self._debug = debug
        self._settings = compiled.request_settings
        self._status_map = compiled.status_map
        self._responder = ErrorResponder(
            compiled.filters,
            compiled.status_map,
            Renderer(200, None, compiled.status_map, debug=debug),
            debug,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._dispatch(scope, receive, send)
        except Exception as exc:
            await self._crashed(scope, send, exc)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        root = scope.get("root_path")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        method: str = scope["method"] if scope["type"] == "http" else "WEBSOCKET"
        methods = self._static.get(path)
        if methods is not None:
            endpoint = methods.get(method)
            if endpoint is not None:
                await endpoint(scope, receive, send, {})
                return
        # a decoded path that is all ASCII came from valid UTF-8 (a server decodes invalid
        # bytes to U+FFFD): one flag test; the raw path is examined only otherwise
        if not path.isascii() and not _path_is_utf8(scope):
            await self._router_error(
                scope, send, BadRequestError("request path is not valid UTF-8")
            )
            return
        found, params, allowed = self._lookup(method, path)
        if found is not None:
            await found(scope, receive, send, params)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": ""})
            return
        await self._router_error(scope, send, _method_error(allowed))

    async def _crashed(self, scope: Scope, send: Send, exc: Exception) -> None:
        """A failure nothing else answered: log it (rate-limited) and answer a 500 problem;
        when that cannot be sent (the response had started, the peer is gone), re-raise so
        the server aborts the connection."""
        method = scope.get("method", "WEBSOCKET")
        status = status_for(exc, self._status_map)
        log_server_error(exc, status, method, "(dispatch)", self._settings.error_log)
        try:
            if scope["type"] == "http":
                await send_problem(
                    send, exc, scope=scope, status_map=self._status_map, debug=self._debug
                )
            else:
                await send({"type": "websocket.close", "code": 1011, "reason": ""})
        except Exception:
            raise exc from None

    async def _router_error(self, scope: Scope, send: Send, error: Exception) -> None:
        await self._responder.respond_unrouted(scope, send, error, self._settings)


def _method_error(allowed: tuple[str, ...]) -> HTTPError:
    """404 for an unknown path; 405 listing the HTTP methods it takes; 426 for a plain HTTP
    request to a path that only takes WebSocket connections."""
    if not allowed:
        return NotFoundError()
    methods = tuple(m for m in allowed if m != "WEBSOCKET")
    if methods:
        return MethodNotAllowedError(methods)
    return HTTPError(
        426,
        "this path takes WebSocket connections only: open it with a WebSocket client",
        headers={"Upgrade": "websocket", "Connection": "Upgrade"},
    )


def _path_is_utf8(scope: Scope) -> bool:
    raw = scope.get("raw_path")
    if raw:
        if raw.isascii() and b"%" not in raw:
            return True
        try:
            unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return "\ufffd" not in scope["path"]
