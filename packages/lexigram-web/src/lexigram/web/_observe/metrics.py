"""Metrics: the recorders of requests, connections and rate-limit decisions and the
``/metrics`` endpoint (the public face is ``lexigram.web.prometheus``, which documents them);
needs the ``prometheus`` extra."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, cast

try:
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        CollectorRegistry,
        Counter,
        Gauge,
        Histogram,
        generate_latest,
        multiprocess,
        values,
    )
except ImportError:  # pragma: no cover - exercised by the no-extras run
    raise ImportError(
        'metrics need prometheus-client: pip install "lexigram-web[prometheus]"'
    ) from None

import anyio.to_thread
from starlette.types import Receive, Scope, Send

from lexigram.http_errors import ForbiddenError

from .._config.observability import DEFAULT_BUCKETS, MetricsConfig
from .._declare.errors import ConfigurationError
from .._http.context import RouteInfo
from .._http.problem import problem_for
from .._http.request import Request
from .._http.settings import RequestSettings
from .hooks import Endpoint
from .local_metrics import HELP, LABELS, LocalRecorder
from .middleware import Feature
from .multiprocess import ENV, prepare_multiprocess_dir
from .observation import PER_ROUTE, Observation, status_class

__all__ = ["ClientRecorder", "GuardComponent", "Metrics", "prepare_multiprocess_dir"]

# prometheus-client leaves these two unannotated
_mark_process_dead = cast(
    "Callable[[int, str], None]",
    multiprocess.mark_process_dead,  # pyright: ignore[reportUnknownMemberType]
)
_MultiProcessCollector = cast("Callable[[Any, str], None]", multiprocess.MultiProcessCollector)


class GuardComponent(Protocol):
    """The metrics endpoint's guard, resolved at startup (``can_activate`` may be async)."""

    @property
    def instance(self) -> Any: ...
    @property
    def is_async(self) -> bool: ...


class Metrics:
    """The metrics of one app (see the module docstring), built at startup.

    ``feature`` records each request: in one process plain numbers turned into samples when
    scraped (``LocalRecorder``); with ``PROMETHEUS_MULTIPROC_DIR``, prometheus-client's
    metric objects, whose values live in the shared directory (``ClientRecorder``).
    """

    def __init__(
        self, registry: Any = None, *, buckets: tuple[float, ...] = DEFAULT_BUCKETS
    ) -> None:
        self.multiprocess_dir = _multiprocess_dir()
        self.registry = registry if registry is not None else CollectorRegistry()
        self.feature: LocalRecorder | ClientRecorder = (
            LocalRecorder(self.registry, buckets)
            if self.multiprocess_dir is None
            else ClientRecorder(self.registry, buckets)
        )

    @classmethod
    def from_config(cls, config: MetricsConfig) -> Metrics:
        return cls(config.registry, buckets=config.buckets)

    def stop(self) -> None:
        """This process is leaving: drop its live gauges from the multiprocess directory."""
        if self.multiprocess_dir is not None:
            _mark_process_dead(os.getpid(), self.multiprocess_dir)

    def record_throttle(
        self, route: str, policy: str
    ) -> tuple[Callable[[], object], Callable[[], object]]:
        """The counters of one throttled route's decisions, ``(allowed, denied)`` (built once
        per throttled route)."""
        return self.feature.decisions(route, policy)

    # -- exposition ------------------------------------------------------------------------------
    def render(self) -> bytes:
        """The exposition text of this app (of every worker in multiprocess mode)."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        _MultiProcessCollector(registry, self.multiprocess_dir)
        return generate_latest(registry)

    def endpoint(
        self, path: str, guard: GuardComponent | None, settings: RequestSettings
    ) -> Endpoint:
        """The endpoint serving ``render()``; ``guard`` (resolved at startup) runs first."""
        content_type = (b"content-type", CONTENT_TYPE_LATEST.encode("latin-1"))
        info = RouteInfo(method="GET", path=path, name="lexigram.metrics", handler=self.render)
        threaded = self.multiprocess_dir is not None  # reads one file per worker and metric

        async def serve(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
            if guard is not None:
                ctx = Request(
                    scope, receive, send, settings=settings, route=info, path_params=params
                )
                try:
                    allowed = guard.instance.can_activate(ctx)
                    if guard.is_async or hasattr(allowed, "__await__"):
                        allowed = await allowed
                    if not allowed:
                        raise ForbiddenError(
                            "access denied by " + type(guard.instance).__qualname__
                        )
                except Exception as exc:
                    problem = problem_for(exc, scope, status_map=None, debug=False)
                    start = {"status": problem.status, "headers": problem.headers}
                    await send({"type": "http.response.start", **start})
                    await send({"type": "http.response.body", "body": problem.body})
                    return
            body = await anyio.to_thread.run_sync(self.render) if threaded else self.render()
            headers = [
                content_type,
                (b"content-length", str(len(body)).encode("ascii")),
                (b"cache-control", b"no-store"),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return serve


class ClientRecorder(Feature):
    """The recorder of multiprocess mode: prometheus-client's metric objects."""

    streams = True

    def __init__(self, registry: Any, buckets: tuple[float, ...]) -> None:
        name = "http_request_duration_seconds"
        self._requests = Counter("http_requests", HELP["http_requests"], LABELS, registry=registry)
        self._duration = Histogram(name, HELP[name], LABELS, buckets=buckets, registry=registry)
        name = "http_requests_in_flight"
        self._in_flight = Gauge(name, HELP[name], registry=registry, multiprocess_mode="livesum")
        name = "lexigram_open_connections"
        self._open = Gauge(
            name, HELP[name], ("kind",), registry=registry, multiprocess_mode="livesum"
        )
        name = "lexigram_rate_limit_decisions"
        self._decisions = Counter(
            name, HELP[name], ("route", "policy", "decision"), registry=registry
        )
        self._streams = {kind: self._open.labels(kind) for kind in ("websocket", "sse")}

    def begin(self, obs: Observation) -> None:
        if obs.kind == "http":
            self._in_flight.inc()

    def finish(self, obs: Observation) -> None:
        if obs.kind != "http":
            return
        self._in_flight.dec()
        mark = obs.mark
        status = obs.status
        children = mark.cells.get(status) if mark is not None else None
        if children is None:
            labels = (obs.method, obs.route_label, status_class(status))
            children = (self._requests.labels(*labels), self._duration.labels(*labels))
            if mark is not None and len(mark.cells) < PER_ROUTE:
                mark.cells[status] = children
        children[0].inc()
        children[1].observe(obs.end - obs.start)

    def opened(self, obs: Observation) -> None:
        self._streams[obs.stream or "sse"].inc()

    def closed(self, obs: Observation) -> None:
        self._streams[obs.stream or "sse"].dec()

    def decisions(
        self, route: str, policy: str
    ) -> tuple[Callable[[], object], Callable[[], object]]:
        return (
            self._decisions.labels(route, policy, "allowed").inc,
            self._decisions.labels(route, policy, "denied").inc,
        )


def _multiprocess_dir() -> str | None:
    """``PROMETHEUS_MULTIPROC_DIR`` when multiprocess mode is on; ``ConfigurationError`` when
    it cannot work (set after prometheus-client was imported, or not a directory)."""
    directory = os.environ.get(ENV)
    active = values.ValueClass is not values.MutexValue
    if directory is None:
        return None
    if not active:
        raise ConfigurationError(
            f"{ENV} is set but prometheus_client was imported before it was, so this process"
            f" keeps its metrics in memory: set {ENV} in the environment the server starts with"
        )
    if not os.path.isdir(directory):
        raise ConfigurationError(
            f"{ENV}={directory!r} is not a directory: create it (empty) before the workers start"
            " (lexigram run does) or unset it"
        )
    return directory
