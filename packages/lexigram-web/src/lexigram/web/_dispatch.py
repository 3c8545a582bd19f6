"""The innermost ASGI callable of a started app: route lookup, then the route's endpoint.

Static paths are one dict lookup; everything else walks the router's trie. Unknown paths and
methods answer 404/405 problems (through the app's exception filters when one matches).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.http_errors import BadRequestError, HTTPError, MethodNotAllowedError, NotFoundError

from ._compiled import CompiledApp
from ._front import Front
from ._http.render import Renderer
from ._http.request_id import REQUEST_ID_KEY, random_id, request_id_context, request_id_of
from ._pipeline.error_responder import (
    ErrorResponder,
    log_server_error,
    send_problem,
    status_for,
)

__all__ = ["Dispatcher", "FrontedDispatcher", "dispatcher", "entry_of"]

_getrandbits: Final = random.getrandbits


Enter = Callable[[Scope, Receive, Send], Awaitable[None]]
Crashed = Callable[[Scope, Send, Exception], Awaitable[None]]


def entry_of(stack: ASGIApp) -> tuple[Enter, Crashed | None]:
    """How an app enters ``stack`` per request: a stack that is the dispatcher itself is
    entered without its own coroutine (``start`` gives the awaitable answering the request,
    and what that raises goes to ``crashed``); any other stack is awaited as it is, what it
    raises propagating (``None``)."""
    if isinstance(stack, Dispatcher):
        return stack.start, stack.crashed
    return stack, None


def dispatcher(compiled: CompiledApp, debug: bool, front: Front | None = None) -> Dispatcher:
    """The app's innermost ASGI callable: ``Dispatcher``, or ``FrontedDispatcher`` running
    ``front`` (the defaults folded out of the middleware stack) first."""
    if front is None:
        return Dispatcher(compiled, debug)
    return FrontedDispatcher(compiled, debug, front)


class Dispatcher:
    """Routes one request to its compiled endpoint."""

    __slots__ = (
        "_debug",
        "_defaults",
        "_lookup",
        "_match",
        "_responder",
        "_settings",
        "_static",
        "_status_map",
    )

    def __init__(self, compiled: CompiledApp, debug: bool) -> None:
        self._defaults = compiled.request_settings.defaults
        self._static = compiled.router.static_routes
        self._lookup = compiled.router.lookup
        self._match = compiled.router.match
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
            await self.start(scope, receive, send)
        except Exception as exc:
            await self.crashed(scope, send, exc)

    def start(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The awaitable answering the request: its route's endpoint called (routed here,
        without a coroutine of the dispatcher's own), or the full dispatch. An app whose
        stack is its dispatcher awaits it directly, and answers what it raises with
        ``crashed``."""
        # a path that routes without backtracking (most do) is answered here; _dispatch
        # decides the rest (a root path, a path not ASCII, backtracking, 404/405)
        hit = (
            self._match(scope["method"], scope["path"])
            if scope["type"] == "http" and not scope.get("root_path")
            else None
        )
        if hit is not None:
            return hit[0](scope, receive, send, hit[1])
        return self._dispatch(scope, receive, send)

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

    async def crashed(self, scope: Scope, send: Send, exc: Exception) -> None:
        """A failure nothing else answered: log it (rate-limited) and answer a 500 problem;
        when that cannot be sent (the response had started, the peer is gone), re-raise so
        the server aborts the connection."""
        method = scope.get("method", "WEBSOCKET")
        status = status_for(exc, self._status_map)
        defaults = self._defaults
        with request_id_context(request_id_of(scope) if defaults is not None else None):
            log_server_error(exc, status, method, "(dispatch)", self._settings.error_log)
        try:
            if scope["type"] == "http":
                extra = defaults.seed(scope) if defaults is not None else None
                await send_problem(
                    send, exc, scope=scope, status_map=self._status_map, debug=self._debug,
                    extra=extra,
                )  # fmt: skip
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


class FrontedDispatcher(Dispatcher):
    """``Dispatcher`` running the folded defaults first (see ``_front``): the request id, the
    declared body length, the query string rules; a refusal is answered here. A route found
    without backtracking is called from here directly (no further step)."""

    __slots__ = ("_plan",)

    def __init__(self, compiled: CompiledApp, debug: bool, front: Front) -> None:
        super().__init__(compiled, debug)
        ids = front.ids
        generator = ids.generator if ids is not None else None
        # decided here: the header trusted for incoming ids (b"": none), the pattern they
        # must match (None: no ids), the id generator (None: random_id, inlined)
        self._plan = (
            ids.header if ids is not None and ids.trust else b"",
            ids.pattern if ids is not None else None,
            None if generator is random_id else generator,
            front.limit,
            front.query,
        )

    def start(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        trusted, pattern, generator, limit, query = self._plan
        http = scope["type"] == "http"
        request_id: str | None = None
        length: bytes | None = None
        if pattern is not None:
            incoming: bytes | None = None
            for name, value in scope["headers"]:  # one scan for both headers
                if name == trusted:
                    if incoming is None:
                        incoming = value
                elif name == b"content-length":
                    length = value
            if incoming is not None and pattern.fullmatch(incoming):
                request_id = incoming.decode("ascii")
            elif generator is None:
                request_id = _getrandbits(128).to_bytes(16).hex()  # random_id(), inlined
            else:
                request_id = generator()
            state = scope.get("state")
            if state is None:
                scope["state"] = state = {}
            state[REQUEST_ID_KEY] = request_id
        elif limit is not None:
            for name, value in scope["headers"]:
                if name == b"content-length":
                    length = value
        if length is not None and limit is not None and http:
            error = limit.check_declared(length)
            if error is not None:
                return self._refuse(scope, send, error)
        if query is not None:
            raw: bytes = scope.get("query_string", b"")
            if raw:
                verdict = query.check(raw)
                if isinstance(verdict, HTTPError):
                    return self._refuse(scope, send, verdict)
                if verdict is not None:
                    scope = dict(scope)
                    scope["query_string"] = verdict
        if not http:
            return self._identified(request_id, scope, receive, send)
        hit = None if scope.get("root_path") else self._match(scope["method"], scope["path"])
        if hit is not None:
            return hit[0](scope, receive, send, hit[1])
        return self._dispatch(scope, receive, send)

    async def _identified(
        self, request_id: str | None, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """A WebSocket connection dispatched with its request id in the logging context."""
        with request_id_context(request_id):
            await self._dispatch(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, error: HTTPError) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        defaults = self._defaults
        extra = defaults.seed(scope) if defaults is not None else None
        await send_problem(
            send, error, scope=scope, status_map=self._status_map, debug=self._debug, extra=extra
        )
