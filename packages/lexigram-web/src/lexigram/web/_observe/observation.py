"""``Observation``: what the observability middleware knows about the request it wraps.

One is created per request, only when some observability feature is on; it is reachable from
the ASGI scope (``scope[OBSERVATION]``) and, while the request runs, from a context variable
(``current_observation()``, read by the log filter and formatter and by tracing helpers).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from time import perf_counter
from typing import Any, Final, Protocol

from starlette.types import Message, Scope, Send

__all__ = [
    "EVENT_STREAM",
    "METHODS",
    "OBSERVATION",
    "PER_ROUTE",
    "UNMATCHED",
    "Marked",
    "Observation",
    "RouteMark",
    "activate",
    "current_observation",
    "current_trace_id",
    "deactivate",
    "method_label",
    "note_server_error",
    "route_template",
    "status_class",
]

OBSERVATION: Final = "lexigram.observation"
"""The scope key holding the request's ``Observation``."""
UNMATCHED: Final = "<unmatched>"
"""The route label of a request no route answered (one label: bounded cardinality)."""
METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
"""The standard HTTP methods: any other is labelled ``_OTHER``."""
_CLASSES: Final = ("1xx", "1xx", "2xx", "3xx", "4xx", "5xx")

EVENT_STREAM: Final = b"text/event-stream"
PER_ROUTE: Final = 64
"""At most this many statuses get a cached entry per route (an app answering arbitrary
statuses still works, without the cache)."""
_CONVERTER: Final = re.compile(r"\{([^}:]+):[^}]*\}")

_current: ContextVar[Observation | None] = ContextVar("lexigram_observation", default=None)


def method_label(method: str) -> str:
    """``method`` when it is a standard HTTP method, else ``"_OTHER"`` (clients choose the
    method: an unbounded label otherwise)."""
    return method if method in METHODS else "_OTHER"


def route_template(path: str) -> str:
    """A route path as observability shows it: converters dropped (``/orders/{id:int}`` ->
    ``/orders/{id}``, the form of OpenAPI and of OpenTelemetry's ``http.route``)."""
    return _CONVERTER.sub(r"{\1}", path)


def status_class(status: int) -> str:
    """``"2xx"`` for 200-299, ...; anything out of range counts as ``"5xx"``."""
    index = status // 100
    return _CLASSES[index] if 0 <= index < 6 else "5xx"


class Marked(Protocol):
    """What the observability layer puts at ``scope[OBSERVATION]``: the route's endpoint sets
    ``mark`` on it."""

    mark: RouteMark | None


class RouteMark:
    """One route's endpoint as observability sees it, built at startup: the route template
    (``/orders/{id}``), the method it answers (``WEBSOCKET`` for a WebSocket route), the
    server span's name, and what the features keep per route so that a request only looks
    things up: the metrics recorder's cells by status code (filled on first use, at most
    ``PER_ROUTE`` statuses).
    """

    __slots__ = ("cells", "method", "span_name", "template")

    def __init__(self, method: str, template: str) -> None:
        self.method = method
        self.template = template
        self.span_name = f"{method} {template}"
        self.cells: dict[int, Any] = {}
        """The metrics recorder's cells by status code (statuses of a class share one)."""


async def _unsent(message: Message) -> None:
    raise RuntimeError("this observation has no send: it was built outside the middleware")


class Observation:
    """One request as seen by the observability features; also the ``send`` the app gets.

    ``mark`` is the matched route (``None`` until a route answers, and for unknown paths) and
    ``route`` its template; ``status`` the response status (0 until the response starts);
    ``start`` and ``end`` are ``time.perf_counter()`` readings (``end`` when the last body
    chunk was sent, 0.0 until then). ``trace_id``/``span_id`` are set by tracing (hex), with
    its ``tracer``, ``span`` and ``token`` (the attached trace context); ``exception`` when
    the request failed (it raised out of the app, or was answered with a 5xx problem, see
    ``note_server_error``). ``stream`` is ``"websocket"`` or ``"sse"`` once such a connection
    is open. ``headers`` are added to the response start (or the WebSocket accept).

    As the app's ``send`` it notes the status, the end of the body, an event stream or an
    accepted WebSocket (calling ``opens``), adds ``headers``, and returns the server's own
    ``send`` awaitable: one object per request, no coroutine of its own per message.
    """

    # the fields set after creation start as these class-level values: fewer stores per
    # request (an instance keeps its attributes inline all the same)
    end: float = 0.0
    status: int = 0
    mark: RouteMark | None = None
    exception: BaseException | None = None
    stream: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    tracer: Any = None
    span: Any = None
    token: Any = None
    headers: list[tuple[bytes, bytes]] | None = None

    def __init__(
        self,
        scope: Scope,
        kind: str,
        method: str,
        start: float,
        send: Send = _unsent,
        opens: tuple[Callable[[Observation], None], ...] = (),
    ) -> None:
        self.scope = scope
        self.kind = kind
        self.method = method
        self.start = start
        self.send = send
        self.opens = opens

    def __call__(self, message: Message) -> Awaitable[None]:
        kind = message["type"]
        if kind == "http.response.body":
            if not message.get("more_body", False):
                self.end = perf_counter()
        elif kind == "http.response.start":
            self.status = message["status"]
            extra = self.headers
            if extra:
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            if self.opens:
                for name, value in message.get("headers", ()):
                    if name == b"content-type":
                        if value.startswith(EVENT_STREAM):
                            self.stream = "sse"
                            for opened in self.opens:
                                opened(self)
                        break
        elif kind == "websocket.accept":
            self.status = 101
            extra = self.headers
            if extra:
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            if self.opens:
                self.stream = "websocket"
                for opened in self.opens:
                    opened(self)
        elif kind == "websocket.http.response.start":
            self.status = message["status"]
        return self.send(message)

    @property
    def route(self) -> str | None:
        """The matched route's template (``None`` when no route answered)."""
        mark = self.mark
        return mark.template if mark is not None else None

    @property
    def route_label(self) -> str:
        """The route template, or ``UNMATCHED``."""
        mark = self.mark
        return mark.template if mark is not None else UNMATCHED

    @property
    def path(self) -> str:
        path: str = self.scope.get("path", "")
        return path

    @property
    def client(self) -> str:
        client = self.scope.get("client")
        return str(client[0]) if client else ""


activate: Final[Callable[[Observation | None], Token[Observation | None]]] = _current.set
"""Make an observation the current one (returns the token for ``deactivate``)."""
deactivate: Final[Callable[[Token[Observation | None]], None]] = _current.reset


def current_observation() -> Observation | None:
    """The observation of the request being handled in this context, if any."""
    return _current.get()


def note_server_error(exc: BaseException) -> None:
    """The request being handled is answered with a 5xx because of ``exc`` (or its WebSocket
    closed for it): tracing records it on the server span. Called where such failures are
    logged, so it costs nothing on the way of a successful request."""
    found = _current.get()
    if found is not None and found.exception is None:
        found.exception = exc


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of the request being handled, when tracing is on."""
    found = _current.get()
    return found.trace_id if found is not None else None
