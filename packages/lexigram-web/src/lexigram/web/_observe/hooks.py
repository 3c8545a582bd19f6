"""Startup hooks through which observability reaches into compiled routes.

``Instruments`` is handed to route compilation when some feature is on (``None`` otherwise,
so a route compiled without it carries no trace of observability): each endpoint is marked
with its route template, the guard chain and the handler call may be wrapped in spans, and a
route's rate-limit decisions may be counted. Everything here runs once per
route, at startup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.types import Receive, Scope, Send

from .._http.context import RouteInfo
from .observation import OBSERVATION, Marked, RouteMark, route_template

__all__ = ["Endpoint", "Instruments", "PipelineTracer", "Step", "ThrottleRecorder", "mark_route"]

Endpoint = Callable[[Scope, Receive, Send, dict[str, Any]], Awaitable[None]]
Step = Callable[[Any], Awaitable[Any]]
"""One stage of a route's pipeline (the guard chain, the handler call), given the request."""


class PipelineTracer(Protocol):
    """Wraps pipeline stages of one route in spans (decided at startup)."""

    def guards(self, step: Step, info: RouteInfo) -> Step: ...
    def handler(self, step: Step, info: RouteInfo) -> Step: ...


class ThrottleRecorder(Protocol):
    """The counters of one throttled route's rate-limit decisions: ``(allowed, denied)``,
    each called once per decision."""

    def __call__(
        self, route: str, policy: str
    ) -> tuple[Callable[[], object], Callable[[], object]]: ...


class Instruments:
    """What the enabled features need from route compilation."""

    __slots__ = ("throttle", "tracer")

    def __init__(
        self, tracer: PipelineTracer | None = None, throttle: ThrottleRecorder | None = None
    ) -> None:
        self.tracer = tracer
        self.throttle = throttle

    def endpoint(self, endpoint: Endpoint, template: str, method: str) -> Endpoint:
        """``endpoint`` telling the request's observation which route answered (``template``
        is the route's path; converters are dropped: ``/orders/{id}``)."""
        return mark_route(endpoint, RouteMark(method, route_template(template)))


def mark_route(endpoint: Endpoint, mark: RouteMark) -> Endpoint:
    """``endpoint`` recording ``mark`` on the request's ``Observation`` before it runs. A
    plain function returning the endpoint's coroutine: no coroutine of its own per request."""

    def marked(
        scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
    ) -> Awaitable[None]:
        try:
            observed: Marked = scope[OBSERVATION]
        except KeyError:  # a scope the observability layer did not see (an app of its own)
            pass
        else:
            observed.mark = mark
        return endpoint(scope, receive, send, params)

    return marked
