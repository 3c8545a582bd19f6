"""Per-request state: ``ExecutionContext`` (what guards and interceptors see) and ``RouteInfo``.

One ``ExecutionContext`` is created per request. Everything on it is lazy: the query string is
parsed on first use (once), headers are decoded on first use, the body is read only when a
parameter or the handler asks for it, and a ``Request`` object is built only when needed.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import ClientDisconnect, cookie_parser
from starlette.types import Receive, Scope, Send

from lexigram.http_errors import BadRequestError, PayloadTooLargeError

from .._declare.decorators import RouteConfig
from .._declare.params import BoundParam
from .._declare.versioning import ApiVersionMetadata
from .background import BackgroundTasks
from .request import Request, RequestSettings, receive_body_part, state_value

__all__ = ["ExecutionContext", "RouteInfo", "parse_query"]


@dataclass(eq=False)
class RouteInfo:
    """A registered route, as listed by ``RouteRegistry`` and seen from ``ExecutionContext``."""

    method: str
    path: str
    name: str
    handler: Callable[..., Any]
    controller_class: type | None = None
    method_name: str | None = None
    status_code: int = 200
    guards: tuple[Any, ...] = ()
    interceptors: tuple[Any, ...] = ()
    pipes: tuple[Any, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict[str, Any])
    auto_head: bool = False
    config: RouteConfig | None = None
    """The route declaration (status, response model, tags, summary, ...), for generators."""
    params: tuple[BoundParam, ...] = ()
    """How each handler parameter is bound (source, wire name, type), for generators."""
    throttled: bool = False
    """Whether a rate limit (its own or the limiter's default) applies to the route."""
    version: ApiVersionMetadata | None = None
    """The route's API version (``@api_version``/``@version``), ``None`` when unversioned."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "name": self.name,
            "handler": self.handler,
            "controller": self.controller_class,
            "method_name": self.method_name,
            "status_code": self.status_code,
            "guards": [_label(g) for g in self.guards],
            "interceptors": [_label(i) for i in self.interceptors],
            "version": self.version.version if self.version is not None else None,
        }


_UNSAFE = frozenset("\r\n\x00")


def _label(item: Any) -> str:
    target = item if isinstance(item, type) else type(item)
    return target.__qualname__


def _decode(raw: bytes) -> str:
    if b"%" in raw or b"+" in raw:
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    return raw.decode("utf-8")


def parse_query(query_string: bytes) -> list[tuple[str, str]]:
    """Split a query string into decoded pairs; invalid UTF-8 is a 400."""
    pairs: list[tuple[str, str]] = []
    try:
        if b"%" not in query_string and b"+" not in query_string:
            for part in query_string.decode("utf-8").split("&"):
                if part:
                    name, _, text = part.partition("=")
                    pairs.append((name, text))
            return pairs
        for chunk in query_string.split(b"&"):
            if chunk:
                key, _, value = chunk.partition(b"=")
                pairs.append((_decode(key), _decode(value)))
    except UnicodeDecodeError:
        raise BadRequestError("query string is not valid UTF-8") from None
    return pairs


class ExecutionContext:
    """The request being handled, plus the route answering it.

    Guards receive it, interceptors receive it (with the next handler), and it is injectable by
    type into handlers. ``request``, ``handler``, ``controller_class``, ``method_name`` and
    ``route_metadata`` follow ``ExecutionContextProtocol``; ``add_header`` lets a guard or
    interceptor put headers on whatever response the request ends with.
    """

    __slots__ = (
        "_body",
        "_cookies",
        "_headers",
        "_query",
        "_query_pairs",
        "_request",
        "background",
        "controller",
        "di_scope",
        "form_used",
        "json_cache",
        "path_params",
        "receive",
        "response_headers",
        "route",
        "scope",
        "send",
        "settings",
        "validated",
        "websocket",
    )

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path_params: dict[str, Any],
        route: RouteInfo,
        settings: RequestSettings,
    ) -> None:
        self.scope = scope
        self.receive = receive
        self.send = send
        self.path_params = path_params
        self.route = route
        self.settings = settings
        self._request: Request | None = None
        self._query: dict[str, str] | None = None
        self._query_pairs: list[tuple[str, str]] | None = None
        self._headers: dict[str, str] | None = None
        self._cookies: dict[str, str] | None = None
        self._body: bytes | None = None
        self.response_headers: list[tuple[bytes, bytes]] | None = None
        self.background: BackgroundTasks | None = None
        self.di_scope: Any = None
        self.controller: Any = None
        self.validated: dict[str, Any] | None = None
        self.json_cache: Any = None
        self.form_used = False
        self.websocket: Any = None

    # -- ExecutionContextProtocol -------------------------------------------------------------
    @property
    def request(self) -> Request:
        """The ``Request`` (built on first use); on a WebSocket route, the ``WebSocket``."""
        if self.websocket is not None:
            return typing.cast(Request, self.websocket)
        request = self._request
        if request is None:
            scope = self.scope
            scope["path_params"] = self.path_params
            settings = self.settings
            if "router" not in scope and settings.router is not None:
                scope["router"] = settings.router
            if "app" not in scope and settings.app is not None:
                scope["app"] = settings.app
            request = Request(self.scope, self.receive, self.send, settings=self.settings)
            if self._body is not None:
                request._body = self._body  # pyright: ignore[reportPrivateUsage]
            if self.validated is not None:
                request.validated_data = self.validated
            self._request = request
        return request

    @property
    def handler(self) -> Callable[..., Any]:
        return self.route.handler

    @property
    def controller_class(self) -> type | None:
        return self.route.controller_class

    @property
    def method_name(self) -> str | None:
        return self.route.method_name

    @property
    def route_metadata(self) -> dict[str, Any]:
        return self.route.metadata

    # -- helpers --------------------------------------------------------------------------------
    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def path(self) -> str:
        path: str = self.scope["path"]
        return path

    @property
    def user(self) -> Any | None:
        """The authenticated user (``scope["user"]`` or ``request.state.user``)."""
        scope = self.scope
        if "user" in scope:
            return scope["user"]
        return state_value(scope, "user")

    @property
    def client_ip(self) -> str:
        return self.settings.client_ip(self.scope)

    def add_header(self, name: str, value: str) -> None:
        """Add a header to the response this request ends with (success or error).

        ``ValueError`` if the name or value contains CR, LF or NUL (header injection)."""
        if not _UNSAFE.isdisjoint(name) or not _UNSAFE.isdisjoint(value):
            raise ValueError(f"header {name!r} contains CR, LF or NUL")
        item = (name.lower().encode("latin-1"), value.encode("latin-1"))
        if self.response_headers is None:
            self.response_headers = [item]
        else:
            self.response_headers.append(item)

    def get_background(self) -> BackgroundTasks:
        tasks = self.background
        if tasks is None:
            tasks = self.background = BackgroundTasks()
        return tasks

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        pairs = self._query_pairs
        if pairs is None:
            pairs = self._query_pairs = parse_query(self.scope["query_string"])
        return pairs

    @property
    def query(self) -> dict[str, str]:
        """Query parameters (last value wins), parsed once."""
        query = self._query
        if query is None:
            query = self._query = dict(self.query_pairs)
        return query

    def query_list(self, name: str) -> list[str]:
        return [value for key, value in self.query_pairs if key == name]

    @property
    def headers(self) -> dict[str, str]:
        """Request headers by lower-case name (first value wins), decoded once."""
        headers = self._headers
        if headers is None:
            headers = {}
            for key, value in self.scope["headers"]:
                name = key.decode("latin-1")
                if name not in headers:
                    headers[name] = value.decode("latin-1")
            self._headers = headers
        return headers

    @property
    def cookies(self) -> dict[str, str]:
        cookies = self._cookies
        if cookies is None:
            parsed: dict[str, str] = {}
            for key, value in self.scope["headers"]:
                if key == b"cookie":
                    parsed.update(cookie_parser(value.decode("latin-1")))
            self._cookies = cookies = parsed
        return cookies

    async def body(self) -> bytes:
        """The raw body, read once, refused with 413 as soon as it exceeds the size limit."""
        if self._body is not None:
            return self._body
        if self._request is not None:
            self._body = await self._request.body()
            return self._body
        limit = self.settings.max_body_size
        if limit is not None:
            declared = self.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise PayloadTooLargeError(f"request body exceeds the {limit}-byte limit")
        chunks: list[bytes] = []
        size = 0
        receive = self.receive
        timeout = self.settings.body_timeout
        while True:
            message = await receive_body_part(receive, timeout)
            kind = message["type"]
            if kind == "http.request":
                chunk: bytes = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise PayloadTooLargeError(f"request body exceeds the {limit}-byte limit")
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            elif kind == "http.disconnect":
                raise ClientDisconnect()
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._body = body
        return body

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()
