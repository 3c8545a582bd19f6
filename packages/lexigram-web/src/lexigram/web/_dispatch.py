"""The innermost ASGI callable of a started app: route lookup, then the route's endpoint.

Static paths are one dict lookup; everything else walks the router's trie. Unknown paths and
methods answer 404/405 problems (through the app's exception filters when one matches).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import Receive, Scope, Send

from lexigram.http_errors import BadRequestError, MethodNotAllowedError, NotFoundError

from ._compiled import CompiledApp
from ._http.render import Renderer
from ._pipeline.error_responder import ErrorResponder

__all__ = ["Dispatcher"]


class Dispatcher:
    """Routes one request to its compiled endpoint."""

    __slots__ = ("_lookup", "_responder", "_settings", "_static")

    def __init__(self, compiled: CompiledApp, debug: bool) -> None:
        self._static = compiled.router.static_routes
        self._lookup = compiled.router.lookup
        self._settings = compiled.request_settings
        self._responder = ErrorResponder(
            compiled.filters,
            compiled.status_map,
            Renderer(200, None, compiled.status_map, debug=debug),
            debug,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
        error = MethodNotAllowedError(allowed) if allowed else NotFoundError()
        await self._router_error(scope, send, error)

    async def _router_error(self, scope: Scope, send: Send, error: Exception) -> None:
        await self._responder.respond_unrouted(scope, send, error, self._settings)


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
