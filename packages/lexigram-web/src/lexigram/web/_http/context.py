"""The request object: ``ExecutionContext``, the request being handled plus its route.

Each request (or WebSocket connection) gets one object: a ``Request`` on HTTP routes, a
``WebSocket`` on WebSocket routes, both ``ExecutionContext`` subclasses. Handlers, guards,
interceptors and exception filters all receive that same object. Everything on it is lazy: the
query string is parsed on first use (once), headers are read on first use, and the body only
when a parameter or the handler asks for it.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import URL, Headers
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from .._declare.decorators import RouteConfig
from .._declare.params import BoundParam
from .._declare.versioning import ApiVersionMetadata
from .background import BackgroundTasks
from .settings import DEFAULT_SETTINGS, RequestSettings
from .wire import header_of, parse_query, query_dict

__all__ = [
    "SELF_SOURCES",
    "UNROUTED",
    "ExecutionContext",
    "RouteInfo",
    "parse_query",
    "state_value",
]


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
    returns: Any = ...
    """The handler's resolved return annotation (``inspect.Parameter.empty`` when it has
    none), for generators; ``...`` when the route was not compiled from a handler."""

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
SELF_SOURCES = frozenset({"request", "context", "websocket"})
"""Binding sources whose parameter receives the request object itself."""


def _label(item: Any) -> str:
    target = item if isinstance(item, type) else type(item)
    return target.__qualname__


def _no_handler(*args: Any, **kwargs: Any) -> None:
    """The handler of a request no route answers (what an exception filter sees on a 404)."""


UNROUTED = RouteInfo(method="", path="", name="", handler=_no_handler)
"""The route of a request built outside a route (``Request(scope)``)."""


def state_value(scope: Scope, key: str) -> Any:
    """``scope["state"][key]`` (what ``request.state.<key>`` holds), or ``None``."""
    state: Any = scope.get("state")
    if isinstance(state, dict):
        return typing.cast(dict[str, Any], state).get(key)
    return None


class RequestHeaders(Headers):
    """A request's headers: Starlette's ``Headers`` over the scope's header list (shared, as
    Starlette shares it), with a ``get`` that scans the list once and raises nothing inside
    (``Mapping.get`` catches a ``KeyError`` for every missing name)."""

    @classmethod
    def of(cls, scope: Scope) -> RequestHeaders:
        """The headers of ``scope`` (its ``headers`` made a list first when they are not)."""
        headers = cls.__new__(cls)
        raw = scope["headers"]
        if raw.__class__ is not list:
            raw = scope["headers"] = list(raw)
        headers._list = raw
        return headers

    def get(self, key: str, default: Any = None) -> Any:
        name = key.lower().encode("latin-1")
        for found, value in self._list:
            if found == name:
                return value.decode("latin-1")
        return default


class ExecutionContext(HTTPConnection):
    """The request being handled, plus the route answering it.

    ``Request`` (HTTP routes) and ``WebSocket`` (WebSocket routes) are execution contexts.
    Handlers get it by type (``Request``, ``WebSocket`` or ``ExecutionContext``), guards and
    interceptors as their ``context``, exception filters as their ``request``: one object.
    ``request`` (the object itself), ``handler``, ``controller_class``, ``method_name`` and
    ``route_metadata`` follow ``ExecutionContextProtocol``; ``add_header`` lets a guard or
    interceptor put headers on whatever response the request ends with.
    """

    # set for every request; what most requests never write is a class default below, so
    # building the context per request costs a handful of stores
    __slots__ = (
        "_header_map",
        "_path_params",
        "_receive",
        "_send",
        "_validated",
        "background",
        "response_headers",
        "route",
        "scope",
        "settings",
    )

    scope: Scope
    _receive: Receive
    _send: Send
    _header_map: RequestHeaders | None
    route: RouteInfo
    """The route answering the request."""
    settings: RequestSettings
    """The app's request settings (body limit, trusted proxies, ``url_for``)."""
    background: BackgroundTasks | None
    """The request's background tasks, once some were queued."""
    response_headers: list[tuple[bytes, bytes]] | None
    """Headers for the response the request ends with: those added with ``add_header``, after
    the ones the app adds to every answer (its request id, security headers)."""
    _validated: dict[str, Any]
    di_scope: Any = None
    """The request's DI scope, when the route needs one."""
    controller: Any = None
    """The controller instance handling the request, when built per request."""
    _query: dict[str, str] | None = None
    _query_pairs: list[tuple[str, str]] | None = None

    def _init_context(
        self,
        settings: RequestSettings | None,
        route: RouteInfo | None,
        path_params: dict[str, Any] | None,
    ) -> None:
        self.settings = settings if settings is not None else DEFAULT_SETTINGS
        self.route = route if route is not None else UNROUTED
        self._path_params = path_params
        self.background = None
        self.response_headers = None
        self._header_map = None

    @property
    def headers(self) -> Headers:
        """The request headers (a Starlette ``Headers``, built on first use over the scope's
        own list)."""
        headers = self._header_map
        if headers is None:
            headers = self._header_map = RequestHeaders.of(self.scope)
        return headers

    # -- ExecutionContextProtocol -------------------------------------------------------------
    @property
    def request(self) -> typing.Self:
        """This object (``ExecutionContextProtocol.request``)."""
        return self

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

    @property
    def validated_data(self) -> dict[str, Any]:
        """Parameter values after binding, validation and pipes.

        The pipeline keeps them without the parameters that receive this object itself (a
        ``Request``/``ExecutionContext``/``WebSocket`` parameter), so a request never refers
        to itself and is freed as soon as it ends; reading ``validated_data`` puts those
        parameters back (in a new dict: assign to ``validated_data`` to replace the values)."""
        values: dict[str, Any] | None = getattr(self, "_validated", None)  # unset: none bound
        if values is None:
            return {}
        names = [p.name for p in self.route.params if p.source in SELF_SOURCES]
        if not names:
            return values
        return {**values, **dict.fromkeys(names, self)}

    @validated_data.setter
    def validated_data(self, values: dict[str, Any]) -> None:
        self._validated = values

    # -- the request --------------------------------------------------------------------------
    @property
    def method(self) -> str:
        """The HTTP method (``"WEBSOCKET"`` on a WebSocket route)."""
        method: str = self.scope.get("method", "WEBSOCKET")
        return method

    @property
    def path(self) -> str:
        path: str = self.scope["path"]
        return path

    @property
    def path_params(self) -> dict[str, Any]:
        """The route's path parameters, converted (``{id:int}`` gives an ``int``)."""
        params = self._path_params
        if params is None:
            found: dict[str, Any] = self.scope.get("path_params", {})
            return found
        return params

    @property
    def app(self) -> Any:
        scope = self.scope
        return scope.get("app", self.settings.app)

    def url_for(self, name: str, /, **path_params: Any) -> URL:
        """The absolute URL of the route named ``name``."""
        scope = self.scope
        provider: Any = scope.get("router") or self.settings.router or scope.get("app")
        provider = provider or self.settings.app
        if provider is None:
            raise RuntimeError(f"url_for({name!r}) needs a router: serve the request from an app")
        path = provider.url_path_for(name, **path_params)
        return typing.cast(URL, path.make_absolute_url(base_url=self.base_url))

    @property
    def user(self) -> Any | None:
        """The authenticated user, ``None`` when unset.

        Read from ``scope["user"]``, else ``request.state.user``."""
        scope = self.scope
        if "user" in scope:
            return scope["user"]
        return state_value(scope, "user")

    @property
    def auth(self) -> Any | None:
        """Authentication credentials set by an auth middleware (``None`` when unset)."""
        scope = self.scope
        if "auth" in scope:
            return scope["auth"]
        return state_value(scope, "auth")

    @property
    def request_id(self) -> str | None:
        """The request id set by a request-id middleware, if any."""
        value = state_value(self.scope, "request_id")
        return str(value) if value is not None else None

    @property
    def client_ip(self) -> str:
        """Client IP; ``X-Forwarded-For`` is honoured only when the peer is a trusted proxy."""
        return self.settings.client_ip(self.scope)

    ip = client_ip

    @property
    def content_type(self) -> str:
        """The media type of the body, lower case, without parameters (``""`` when unset)."""
        raw = header_of(self.scope, b"content-type")
        if raw is None:
            return ""
        if raw == b"application/json":
            return "application/json"
        return raw.decode("latin-1").split(";", 1)[0].strip().lower()

    @property
    def is_json(self) -> bool:
        media = self.content_type
        return media == "application/json" or media.endswith("+json")

    @property
    def accepted_types(self) -> list[str]:
        """Media types of the ``Accept`` header, highest quality first."""
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(self.headers.get("accept", "").split(",")):
            media, *params = (p.strip() for p in part.split(";"))
            if not media:
                continue
            quality = 1.0
            for param in params:
                key, _, value = param.partition("=")
                if key.strip() == "q":
                    try:
                        quality = float(value)
                    except ValueError:
                        quality = 0.0
            ranked.append((-quality, index, media))
        return [media for _, _, media in sorted(ranked)]

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        """The query string as decoded ``(name, value)`` pairs, parsed once."""
        pairs = self._query_pairs
        if pairs is None:
            pairs = self._query_pairs = parse_query(self.scope["query_string"])
        return pairs

    @property
    def query(self) -> dict[str, str]:
        """Query parameters (last value wins), parsed once."""
        query = self._query
        if query is None:
            pairs = self._query_pairs
            query = self._query = (
                dict(pairs) if pairs is not None else query_dict(self.scope["query_string"])
            )
        return query

    def query_list(self, name: str) -> list[str]:
        """Every value of the query parameter ``name``, in order."""
        return [value for key, value in self.query_pairs if key == name]

    # -- the response -------------------------------------------------------------------------
    def add_header(self, name: str, value: str) -> None:
        """Add a header to the response this request ends with (success or error).

        ``ValueError`` if the name or value contains CR, LF or NUL (header injection)."""
        settings = self.settings
        names = settings.header_names
        key = names.get(name)
        if key is None:
            if not _UNSAFE.isdisjoint(name):
                raise ValueError(f"header {name!r} contains CR, LF or NUL")
            key = name.lower().encode("latin-1")
            if len(names) < settings.header_names_kept:
                names[name] = key
        if "\r" in value or "\n" in value or "\x00" in value:
            raise ValueError(f"header {name!r} contains CR, LF or NUL")
        item = (key, value.encode("latin-1"))
        headers = self.response_headers
        if headers is None:
            self.response_headers = [item]
            return
        defaults = settings.defaults
        if defaults is not None and key in defaults.names:
            defaults.drop(headers, key, self.scope)  # the application's own value wins
        headers.append(item)

    def get_background(self) -> BackgroundTasks:
        """The request's ``BackgroundTasks`` (created on first use)."""
        tasks = self.background
        if tasks is None:
            tasks = self.background = BackgroundTasks()
        return tasks
