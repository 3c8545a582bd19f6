"""The metrics of one process: plain numbers updated per request, turned into Prometheus
samples when scraped (a prometheus-client collector).

A request costs a few additions on Python numbers instead of the locked updates of
prometheus-client's metric objects; the exposition is the same. Only for one process: with
``PROMETHEUS_MULTIPROC_DIR`` the values must live in prometheus-client's shared files, which
``metrics.ClientRecorder`` writes. Updates happen on the event loop's thread, as does
rendering ``/metrics``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterator
from time import perf_counter
from typing import Any, Final, cast

from prometheus_client import utils
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .middleware import Feature, ObservabilityMiddleware, Started
from .observation import (
    EVENT_STREAM,
    METHODS,
    OBSERVATION,
    PER_ROUTE,
    UNMATCHED,
    Observation,
    RouteMark,
    status_class,
)

__all__ = ["HELP", "LABELS", "UNROUTED", "LocalRecorder", "MetricsOnly", "Tally", "Watch"]

# unannotated in prometheus-client: how it writes a bucket bound in the ``le`` label
_go_float = cast(
    "Callable[[float], str]",
    utils.floatToGoString,  # pyright: ignore[reportUnknownMemberType]
)

LABELS: Final = ("method", "route", "status_class")
HELP: Final = {
    "http_requests": "HTTP requests answered",
    "http_request_duration_seconds": (
        "Time from the request's arrival to the last byte of its response"
    ),
    "http_requests_in_flight": "HTTP requests being handled",
    "lexigram_open_connections": "Open WebSocket connections and event streams",
    "lexigram_rate_limit_decisions": "Rate-limit decisions of @throttle / @rate_limit",
}


class LocalRecorder(Feature):
    """Request counts, latency buckets, in-flight and open-connection gauges and rate-limit
    decisions of one process; a collector of the registry it is given."""

    streams = True

    def __init__(self, registry: Any, buckets: tuple[float, ...]) -> None:
        self._bounds = buckets
        self._les = [_go_float(bound) for bound in buckets]
        self._width = len(buckets) + 2  # one cell per bucket, +Inf, sum
        self._cells: dict[tuple[str, str, str], list[float]] = {}
        """Each label set's (non-cumulative) buckets and sum, the count being the buckets'
        total; requests reach them through their route's ``RouteMark.cells``, building no
        key."""
        self.begun = Started()
        self.started = self.begun  # counted by the middleware
        self._open = {"websocket": 0, "sse": 0}
        self._decisions: dict[tuple[str, str], tuple[Tally, Tally]] = {}
        registry.register(self)

    # -- per request -----------------------------------------------------------------------------
    def finish(self, obs: Observation) -> None:
        if obs.kind != "http":
            return
        mark = obs.mark
        status = obs.status
        cell = mark.cells.get(status) if mark is not None else None
        if cell is None:
            cell = self.cell(mark, obs.method, status)
        duration = obs.end - obs.start
        cell[bisect_left(self._bounds, duration)] += 1
        cell[-1] += duration

    def cell(self, mark: RouteMark | None, method: str, status: int) -> list[float]:
        """The sum and buckets of ``(method, route, status class)`` (``UNMATCHED`` without a
        ``mark``), kept in the mark for the route's next request with ``status``."""
        route = mark.template if mark is not None else UNMATCHED
        key = (method, route, status_class(status))
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = [0.0] * self._width
        if mark is not None and len(mark.cells) < PER_ROUTE:
            mark.cells[status] = cell
        return cell

    def alone(self, app: ASGIApp) -> ASGIApp:
        return MetricsOnly(app, self)

    @property
    def bounds(self) -> tuple[float, ...]:
        return self._bounds

    @property
    def open_streams(self) -> dict[str, int]:
        """Open connections by kind (``websocket``, ``sse``)."""
        return self._open

    def opened(self, obs: Observation) -> None:
        self._open[obs.stream or "sse"] += 1

    def closed(self, obs: Observation) -> None:
        self._open[obs.stream or "sse"] -= 1

    def decisions(self, route: str, policy: str) -> tuple[Tally, Tally]:
        """The counters of one throttled route's decisions: ``(allowed, denied)``."""
        return self._decisions.setdefault((route, policy), (Tally(), Tally()))

    # -- scrape ----------------------------------------------------------------------------------
    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily("http_requests", HELP["http_requests"], labels=LABELS)
        name = "http_request_duration_seconds"
        duration = HistogramMetricFamily(name, HELP[name], labels=LABELS)
        for labels, cell in list(self._cells.items()):
            buckets: list[tuple[str, float]] = []
            total = 0.0
            for le, count in zip(self._les, cell[:-2], strict=True):
                total += count
                buckets.append((le, total))
            total += cell[-2]
            buckets.append(("+Inf", total))
            requests.add_metric(labels, total)
            duration.add_metric(labels, buckets, cell[-1])
        yield requests
        yield duration
        name = "http_requests_in_flight"
        finished = sum(sum(cell[:-1]) for cell in list(self._cells.values()))
        yield GaugeMetricFamily(name, HELP[name], value=self.begun.count - finished)
        name = "lexigram_open_connections"
        connections = GaugeMetricFamily(name, HELP[name], labels=("kind",))
        for kind, count in self._open.items():
            connections.add_metric((kind,), count)
        yield connections
        name = "lexigram_rate_limit_decisions"
        decisions = CounterMetricFamily(name, HELP[name], labels=("route", "policy", "decision"))
        for (route, policy), (allowed, denied) in list(self._decisions.items()):
            decisions.add_metric((route, policy, "allowed"), allowed.count)
            decisions.add_metric((route, policy, "denied"), denied.count)
        yield decisions


class MetricsOnly:
    """The outermost layer when these metrics are the only observability feature on.

    The general middleware's HTTP path less what only tracing and logs need: no
    ``Observation`` (a smaller ``Watch`` is the app's ``send`` and carries the route mark), no
    current observation in a context variable, no per-feature calls; the recording is
    ``LocalRecorder.finish`` written inline. WebSockets and other connections go through the
    general middleware.
    """

    __slots__ = ("_bounds", "_general", "_open", "_recorder", "_started", "app")

    def __init__(self, app: ASGIApp, recorder: LocalRecorder) -> None:
        self.app = app
        self._general = ObservabilityMiddleware(app, [recorder])
        self._recorder = recorder
        self._started = recorder.begun
        self._open = recorder.open_streams
        self._bounds = recorder.bounds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._general(scope, receive, send)
            return
        start = perf_counter()
        watch = Watch()
        watch.send = send
        watch.open = self._open
        scope[OBSERVATION] = watch
        self._started.count += 1
        try:
            await self.app(scope, receive, watch)
        finally:
            # the server's send may hold the scope: no scope -> watch -> send -> scope cycle
            del scope[OBSERVATION]
            duration = (watch.end or perf_counter()) - start
            status = watch.status or 500
            if watch.stream:
                self._open["sse"] -= 1
            watch.open = None  # a send after the request (the app keeps its send) only passes
            mark = watch.mark
            cell = mark.cells.get(status)
            if cell is None:
                route = mark if mark is not UNROUTED else None
                cell = self._recorder.cell(route, _method(scope), status)
            cell[bisect_left(self._bounds, duration)] += 1
            cell[-1] += duration


def _method(scope: Scope) -> str:
    method: str = scope["method"]
    return method if method in METHODS else "_OTHER"


UNROUTED: Final = RouteMark("", UNMATCHED)
"""The mark of a request no route answered (its cells stay empty: the label has a method)."""


class Watch:
    """The app's ``send`` under ``MetricsOnly``: notes the status, the end of the body and an
    event stream (``open``: the recorder's open-connection counts, ``None`` once the request
    is over); holds the route mark the route's endpoint sets. A plain call returning the
    server's ``send`` awaitable. No ``__init__`` (the caller sets ``send`` and ``open``) and
    the fields set later start as the class's values: fewer steps per request."""

    send: Send
    open: dict[str, int] | None
    status = 0
    end = 0.0
    mark = UNROUTED
    stream = False

    def __call__(self, message: Message) -> Awaitable[None]:
        kind = message["type"]
        if kind == "http.response.body":
            if not message.get("more_body", False):
                self.end = perf_counter()
        elif kind == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", ()):
                if name == b"content-type":
                    if value.startswith(EVENT_STREAM) and self.open is not None:
                        self.stream = True
                        self.open["sse"] += 1
                    break
        return self.send(message)


class Tally:
    """A count, one more per call."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
