"""``@sse(path)``: a GET route whose handler is an async generator of events.

The route runs the whole pipeline (DI, guards, binding, interceptors) like any other; what the
handler returns (its generator) is streamed as an ``EventSourceResponse``. A parameter named
``last_event_id`` receives the client's ``Last-Event-ID`` header (``None`` on a first
connection). ``max_connections`` caps the streams open at once on this route, per app: the
next request is answered 503 ``ConnectionLimitError`` (problem+json) until one ends.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeVar, Unpack

from starlette.types import Message, Send

from lexigram.http_errors import ConnectionLimitError, ErrorStatusMap

from .._declare.decorators import ROUTE_KEYWORDS, RouteOptions, route_config
from .._declare.keywords import check_path, refuse_unknown
from .._declare.metadata import add_items
from .._declare.params import Param, header
from .._http.render import Renderer
from .._http.request import Request
from .response import EventSourceResponse

__all__ = ["SSE_OPTIONS", "EventStreamRenderer", "SSEOptions", "sse"]

F = TypeVar("F", bound=Callable[..., Any])
SSE_OPTIONS: Final = "sse"
"""``RouteConfig.extra`` key holding an ``@sse`` route's options."""
LAST_EVENT_ID: Final = "last_event_id"
_SSE_KEYWORDS: Final = (ROUTE_KEYWORDS - {"response_model"}) | {"heartbeat", "max_connections"}


@dataclass(frozen=True, slots=True)
class SSEOptions:
    heartbeat: float | None
    max_connections: int | None


def sse(
    path: str = "",
    *,
    heartbeat: float | None = 15.0,
    max_connections: int | None = None,
    **options: Unpack[RouteOptions],
) -> Callable[[F], F]:
    """Register an async generator function as a server-sent events endpoint (GET).

    ``heartbeat``: seconds between keep-alive comments (``None`` for none).
    ``max_connections``: streams open at once on this route in one app (``None``: no cap).
    Other keyword arguments are those of ``get``/``route`` (``name``, ``tags``, ...), except
    ``response_model`` (the answer is the event stream).
    """
    where = f"@sse({check_path('sse', path)!r})"
    refuse_unknown(where, options, _SSE_KEYWORDS)
    if heartbeat is not None and heartbeat <= 0:
        raise ValueError(f"heartbeat must be a positive number of seconds, got {heartbeat}")
    if max_connections is not None and max_connections < 1:
        raise ValueError(f"max_connections must be at least 1, got {max_connections}")
    config = route_config(
        "GET",
        path,
        options,
        where="sse",
        extra={SSE_OPTIONS: SSEOptions(heartbeat, max_connections)},
    )

    def decorate(fn: F) -> F:
        if not inspect.isasyncgenfunction(fn):
            raise TypeError(
                f"@sse({path!r}) decorates an async generator function (async def with yield),"
                f" got {getattr(fn, '__qualname__', fn)!r}"
            )

        @functools.wraps(fn)
        async def handler(*args: Any, **kw: Any) -> Any:
            return fn(*args, **kw)

        handler.__signature__ = _with_last_event_id(fn)  # type: ignore[attr-defined]
        # what the route answers (documentation reads it): the stream, not the generator
        handler.__annotations__ = {**fn.__annotations__, "return": EventSourceResponse}
        add_items(handler, "routes", (config,))
        return handler  # type: ignore[return-value]

    return decorate


def _with_last_event_id(fn: Callable[..., Any]) -> inspect.Signature:
    """``fn``'s signature, ``last_event_id`` read from the ``Last-Event-ID`` header."""
    signature = inspect.signature(fn)
    param = signature.parameters.get(LAST_EVENT_ID)
    if param is None or isinstance(param.default, Param):
        return signature
    default = None if param.default is inspect.Parameter.empty else param.default
    marker = header(default, alias="Last-Event-ID")
    parameters: list[inspect.Parameter] = []
    after = False
    for p in signature.parameters.values():
        if p.name == LAST_EVENT_ID:
            after = True
            p = p.replace(default=marker)
        if after and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            # a default may not precede required positional parameters: the handler is
            # called with keyword arguments anyway
            p = p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        parameters.append(p)
    return signature.replace(parameters=parameters)


class _Slots:
    """Open streams of one route in one app."""

    __slots__ = ("limit", "open")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    @property
    def full(self) -> bool:
        return self.open >= self.limit


class EventStreamRenderer(Renderer):
    """The renderer of an ``@sse`` route: streams the handler's generator (other return
    values, e.g. a ``Response`` or ``None``, are rendered as on any route)."""

    __slots__ = ("options", "slots")

    def __init__(
        self,
        options: SSEOptions,
        status: int,
        status_map: ErrorStatusMap | None,
        debug: bool = False,
    ) -> None:
        super().__init__(status, None, status_map, debug=debug)
        self.options = options
        self.slots = _Slots(options.max_connections) if options.max_connections else None

    def complete(
        self, result: Any, ctx: Request, status: int | None = None
    ) -> tuple[Message, Message] | None:
        if _is_stream(result):  # an event stream: sent by ``send``
            return None
        return super().complete(result, ctx, status)

    async def send(self, result: Any, ctx: Request, send: Send, status: int | None = None) -> None:
        if _is_stream(result):
            response = EventSourceResponse(
                result, status or self.status, heartbeat=self.options.heartbeat
            )
            slots = self.slots
            if slots is None:
                await super().send(response, ctx, send, status)
                return
            if slots.full:
                await _discard(result)
                raise ConnectionLimitError(
                    f"this event stream already has its {slots.limit} open connections; retry later"
                )
            slots.open += 1
            try:
                await super().send(response, ctx, send, status)
            finally:
                slots.open -= 1
            return
        await super().send(result, ctx, send, status)


def _is_stream(value: object) -> bool:
    return isinstance(value, AsyncIterable | Iterator)


async def _discard(result: Any) -> None:
    aclose = getattr(result, "aclose", None)
    if aclose is not None:
        await aclose()
        return
    close = getattr(result, "close", None)
    if close is not None:
        close()
