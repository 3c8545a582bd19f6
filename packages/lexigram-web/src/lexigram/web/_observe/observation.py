"""``Observation``: what the observability middleware knows about the request it wraps.

One is created per request, only when some observability feature is on; it is reachable from
the ASGI scope (``scope[OBSERVATION]``) and, while the request runs, from a context variable
(``current_observation()``, read by the log filter and formatter and by tracing helpers).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any, Final

from starlette.types import Scope

__all__ = [
    "OBSERVATION",
    "UNMATCHED",
    "Observation",
    "current_observation",
    "current_trace_id",
    "method_label",
    "route_template",
    "status_class",
]

OBSERVATION: Final = "lexigram.observation"
"""The scope key holding the request's ``Observation``."""
UNMATCHED: Final = "<unmatched>"
"""The route label of a request no route answered (one label: bounded cardinality)."""
_METHODS: Final = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
_CLASSES: Final = ("1xx", "1xx", "2xx", "3xx", "4xx", "5xx")

_CONVERTER: Final = re.compile(r"\{([^}:]+):[^}]*\}")

_current: ContextVar[Observation | None] = ContextVar("lexigram_observation", default=None)


def method_label(method: str) -> str:
    """``method`` when it is a standard HTTP method, else ``"_OTHER"`` (clients choose the
    method: an unbounded label otherwise)."""
    return method if method in _METHODS else "_OTHER"


def route_template(path: str) -> str:
    """A route path as observability shows it: converters dropped (``/orders/{id:int}`` ->
    ``/orders/{id}``, the form of OpenAPI and of OpenTelemetry's ``http.route``)."""
    return _CONVERTER.sub(r"{\1}", path)


def status_class(status: int) -> str:
    """``"2xx"`` for 200-299, ...; anything out of range counts as ``"5xx"``."""
    index = status // 100
    return _CLASSES[index] if 0 <= index < 6 else "5xx"


class Observation:
    """One request as seen by the observability features.

    ``route`` is the matched route template (``None`` until a route answers, and for unknown
    paths); ``status`` the response status (0 until the response starts); ``start`` and
    ``end`` are ``time.perf_counter()`` readings (``end`` when the last body chunk was sent,
    0.0 until then). ``trace_id``/``span_id`` are set by tracing (hex), with its ``tracer``,
    ``span`` and ``token`` (the attached trace context); ``exception`` by the pipeline when a
    handler or guard raised. ``stream`` is ``"websocket"`` or ``"sse"`` once such a
    connection is open. ``headers`` are added to the response start.
    """

    __slots__ = (
        "end",
        "exception",
        "headers",
        "kind",
        "method",
        "route",
        "scope",
        "span",
        "span_id",
        "start",
        "status",
        "stream",
        "token",
        "trace_id",
        "tracer",
    )

    def __init__(self, scope: Scope, kind: str, method: str, start: float) -> None:
        self.scope = scope
        self.kind = kind
        self.method = method
        self.start = start
        self.end = 0.0
        self.route: str | None = None
        self.status = 0
        self.exception: BaseException | None = None
        self.stream: str | None = None
        self.trace_id: str | None = None
        self.span_id: str | None = None
        self.tracer: Any = None
        self.span: Any = None
        self.token: Any = None
        self.headers: list[tuple[bytes, bytes]] | None = None

    @property
    def route_label(self) -> str:
        """The route template, or ``UNMATCHED``."""
        return self.route if self.route is not None else UNMATCHED

    @property
    def path(self) -> str:
        path: str = self.scope.get("path", "")
        return path

    @property
    def client(self) -> str:
        client = self.scope.get("client")
        return str(client[0]) if client else ""

    def activate(self) -> Any:
        """Make this the current observation (returns the token for ``deactivate``)."""
        return _current.set(self)

    @staticmethod
    def deactivate(token: Any) -> None:
        _current.reset(token)


def current_observation() -> Observation | None:
    """The observation of the request being handled in this context, if any."""
    return _current.get()


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of the request being handled, when tracing is on."""
    found = _current.get()
    return found.trace_id if found is not None else None
