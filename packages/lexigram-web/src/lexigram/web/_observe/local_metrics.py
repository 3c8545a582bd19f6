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
from collections.abc import Callable, Iterator
from typing import Any, Final, cast

from prometheus_client import utils
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from .middleware import Feature
from .observation import UNMATCHED, Observation, status_class

__all__ = ["HELP", "LABELS", "LocalRecorder", "Tally"]

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
        self._width = len(buckets) + 3  # count, sum, one cell per bucket, +Inf
        self._cells: dict[tuple[str, str, str], list[float]] = {}
        self._in_flight = 0
        self._open = {"websocket": 0, "sse": 0}
        self._decisions: dict[tuple[str, str], tuple[Tally, Tally]] = {}
        registry.register(self)

    # -- per request -----------------------------------------------------------------------------
    def begin(self, obs: Observation) -> None:
        if obs.kind == "http":
            self._in_flight += 1

    def finish(self, obs: Observation) -> None:
        if obs.kind != "http":
            return
        self._in_flight -= 1
        route = obs.route
        key = (obs.method, route if route is not None else UNMATCHED, status_class(obs.status))
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = [0.0] * self._width
        duration = obs.end - obs.start
        cell[0] += 1
        cell[1] += duration
        cell[2 + bisect_left(self._bounds, duration)] += 1

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
            requests.add_metric(labels, cell[0])
            buckets: list[tuple[str, float]] = []
            total = 0.0
            for le, count in zip(self._les, cell[2:-1], strict=True):
                total += count
                buckets.append((le, total))
            buckets.append(("+Inf", cell[0]))
            duration.add_metric(labels, buckets, cell[1])
        yield requests
        yield duration
        name = "http_requests_in_flight"
        yield GaugeMetricFamily(name, HELP[name], value=self._in_flight)
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


class Tally:
    """A count, one more per call."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
