"""Observability overhead: the full-pipeline scenario with metrics or tracing on, each as a
ratio of CPU time per request to the same app with them off (wall clock recorded too; on a
shared machine the CPU-time ratio is the one to read).

Lexigram turns them on with its own settings (``observability.metrics`` /
``observability.tracing``); FastAPI with its usual instrumentation:
prometheus-fastapi-instrumentator and opentelemetry-instrumentation-fastapi. Tracing uses
the OpenTelemetry SDK with a batch span processor and an exporter that drops every batch (a
no-op exporter), the same provider setup for both; a traced cell's batch ends with the
provider's ``force_flush()`` inside its timing, so the export thread's work is counted there.
Each variant is paired with its own app with observability off, the pair being a group of the
in-process measurement (``inprocess.measure``: timed in turns, round after round); its ratio is
the median of the per-round ratios, its time the median of its batches.

``span-floor`` is no Lexigram setting: the app with observability off inside an ASGI layer
that starts and ends one bare SDK span per request (the same provider, six attributes, no
context, ids or headers), the least any tracing built on the SDK can add.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from . import scenarios as s
from .checks import check_answer
from .frameworks import LEXIGRAM, load
from .inprocess import Cell, measure, start, stop

VARIANTS = ("off", "metrics", "tracing", "pipeline-spans", "exporter-none", "span-floor")
"""``tracing``: the defaults (one server span per request); ``pipeline-spans``: with
``pipeline_spans: true`` (guard and handler child spans; FastAPI's instrumentation has no such
split: its own default); ``exporter-none``: ``exporter: none``, the app's own SDK provider
with no span processor (spans for their ids only); ``span-floor``: see the module docstring
(Lexigram only)."""
TRACED = frozenset({"tracing", "pipeline-spans", "span-floor"})
"""The variants whose spans the provider's batch processor exports in its own thread: each
batch ends with ``force_flush()`` inside its timing, so the export is counted in the cell
that made the spans and never in the next cell's batch."""
FRAMEWORKS = (LEXIGRAM, "FastAPI")
TARGETS = {"metrics": 1.15, "tracing": 1.3}
"""Lexigram's overhead targets (CPU-time ratio to the app with observability off)."""
VARIANT_NOTE = (
    "Lexigram's `tracing` is its default (one server span per request); `pipeline-spans` adds"
    " `pipeline_spans: true` (guard and handler child spans); `exporter-none` is"
    " `exporter: none`, the app's own SDK provider with no span processor (spans made for"
    " their ids, exported nowhere). `span-floor` is no setting: the"
    " app with observability off inside a layer that starts and ends one bare SDK span per"
    " request (six attributes, no context, ids or headers), the least any tracing on the SDK"
    " adds."
)
SPAN_ATTRIBUTES = {"http.request.method": "GET", "url.scheme": "http", "url.path": "/p/1",
                   "server.address": "127.0.0.1", "server.port": 8000,
                   "client.address": "127.0.0.1"}  # fmt: skip


class _DropExporter:
    """A span exporter that exports nothing (the 'no-op exporter' of the target)."""

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


def tracer_provider() -> Any:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(_DropExporter()))  # type: ignore[arg-type]
    return provider


def _lexigram(variant: str, provider: Any) -> Any:
    from lexigram.web import MetricsConfig, ObservabilityConfig, TracingConfig

    from .frameworks.lexigram_app import pipeline_app

    if variant == "metrics":
        return pipeline_app(observability=ObservabilityConfig(metrics=MetricsConfig(enabled=True)))
    if variant == "tracing":
        tracing = TracingConfig(enabled=True, tracer_provider=provider)
        return pipeline_app(observability=ObservabilityConfig(tracing=tracing))
    if variant == "pipeline-spans":
        tracing = TracingConfig(enabled=True, tracer_provider=provider, pipeline_spans=True)
        return pipeline_app(observability=ObservabilityConfig(tracing=tracing))
    if variant == "exporter-none":
        tracing = TracingConfig(enabled=True, exporter="none")
        return pipeline_app(observability=ObservabilityConfig(tracing=tracing))
    if variant == "span-floor":
        return _BareSpan(pipeline_app(), provider.get_tracer("bench"))
    return pipeline_app()


class _BareSpan:
    """``app`` with one bare SDK span started and ended around each HTTP request."""

    def __init__(self, app: Any, tracer: Any) -> None:
        from opentelemetry.trace import SpanKind

        self.app = app
        self.tracer = tracer
        self.kind = SpanKind.SERVER

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        span = self.tracer.start_span("GET", None, self.kind, SPAN_ATTRIBUTES)
        try:
            await self.app(scope, receive, send)
        finally:
            span.end()


def _fastapi(variant: str, provider: Any) -> Any:
    app = load("FastAPI").build(s.PIPELINE)
    if variant == "metrics":
        from prometheus_client import CollectorRegistry
        from prometheus_fastapi_instrumentator import Instrumentator

        Instrumentator(registry=CollectorRegistry()).instrument(app).expose(app)
    elif variant == "tracing":
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    return app


BUILDERS: dict[str, Callable[[str, Any], Any]] = {LEXIGRAM: _lexigram, "FastAPI": _fastapi}


def _checker(module: Any, scenario: s.Scenario) -> Callable[[Any], None]:
    def check(response: Any) -> None:
        check_answer(module, scenario, response)

    return check


async def run(
    rounds: int, batch_ms: float, progress: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Build, check and time every (framework, variant) cell, each variant paired with its
    own app with observability off; one row per variant (and per framework's ``off``).

    A pair is a group of the in-process measurement: its two cells take turns within each
    round, so the ratio per round compares two batches timed next to each other, and the
    figure is the median of those ratios (a slow spell of a shared machine, which can last
    for several cells, then weighs on both sides of a ratio)."""
    progress(f"observability overhead: {len(FRAMEWORKS)} frameworks x {VARIANTS}")
    scenario = s.SCENARIOS[s.PIPELINE]
    provider = tracer_provider()
    pairs: list[tuple[Cell, Cell]] = []
    cells: list[Cell] = []
    try:
        for framework in FRAMEWORKS:
            module = load(framework)
            for variant in VARIANTS[1:] if framework == LEXIGRAM else VARIANTS[1:3]:
                group = f"{framework} {variant}"
                pair: list[Cell] = []
                for built in ("off", variant):
                    cell = Cell(
                        group, built, BUILDERS[framework](built, provider), scenario.request,
                        scenario.status, _checker(module, scenario),
                    )  # fmt: skip
                    if built in TRACED:
                        cell.settle = provider.force_flush
                    await start(cell)
                    cells.append(cell)
                    pair.append(cell)
                pairs.append((pair[0], pair[1]))
        await measure(cells, rounds, batch_ms=batch_ms, progress=progress)
    finally:
        await stop(cells)
        provider.shutdown()
    floor_cpu, floor_wall = span_floor_ns()
    rows: list[dict[str, Any]] = []
    for off, cell in pairs:
        framework = cell.group.rsplit(" ", 1)[0]
        if not any(row["framework"] == framework for row in rows):
            rows.append(_row(framework, off, off))
        rows.append(_row(framework, cell, off))
    rows.append(
        {
            "framework": "OpenTelemetry SDK",
            "variant": "one span",
            "median_ns": floor_wall,
            "median_cpu_ns": floor_cpu,
        }
    )
    return rows


def _row(framework: str, cell: Cell, off: Cell) -> dict[str, Any]:
    """A variant's figures: its medians, its pair's ``off`` medians, and the median of the
    per-round ratios (CPU time, wall clock)."""
    return {
        "framework": framework,
        "variant": cell.framework,
        "median_ns": cell.median_ns,
        "median_cpu_ns": cell.median_cpu_ns,
        "off_median_ns": off.median_ns,
        "off_median_cpu_ns": off.median_cpu_ns,
        "ratio_to_off": statistics.median(
            a / b for a, b in zip(cell.samples, off.samples, strict=True)
        ),
        "cpu_ratio_to_off": statistics.median(
            a / b for a, b in zip(cell.cpu_samples, off.cpu_samples, strict=True)
        ),
        "samples_ns": [round(x, 1) for x in cell.samples],
        "cpu_samples_ns": [round(x, 1) for x in cell.cpu_samples],
    }


def span_floor_ns(count: int = 5_000, repeats: int = 7) -> tuple[float, float]:
    """The SDK's own cost of one span with six attributes, started and ended with nothing
    around it (the same provider setup): the floor under any tracing of a request. The best
    of ``repeats`` batches, by CPU time and by wall clock (ns per span)."""
    import time

    from opentelemetry.trace import SpanKind

    provider = tracer_provider()
    tracer = provider.get_tracer("bench")
    attributes = SPAN_ATTRIBUTES
    best_cpu = best_wall = float("inf")
    for _ in range(repeats):
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(count):
            tracer.start_span("GET", None, SpanKind.SERVER, attributes).end()
        provider.force_flush()
        best_wall = min(best_wall, (time.perf_counter_ns() - wall) / count)
        best_cpu = min(best_cpu, (time.process_time_ns() - cpu) / count)
    provider.shutdown()
    return best_cpu, best_wall


def _cpu(row: dict[str, Any]) -> float:
    """The row's CPU-time median (older results only have the wall clock)."""
    value: float = row.get("median_cpu_ns", row["median_ns"])
    return value


def section(results: dict[str, Any]) -> list[str]:
    """The report's section (empty when the part did not run)."""
    rows = results.get("observability")
    if not rows:
        return []
    by = {(row["framework"], row["variant"]): row for row in rows}
    floor = by.get(("OpenTelemetry SDK", "one span"))
    lines = [
        "## Observability overhead",
        "",
        "The full-pipeline scenario (guard, DI service, path and query parameters) with"
        " metrics or tracing on, as the ratio of CPU time per request to the same app with"
        " them off (lower is better; the wall-clock ratio beside it;"
        " `bench/webbench/observability.py`). Each variant is timed in turns with its own app"
        " with observability off, and its ratio is the median of the per-round ratios; the"
        ' times are medians (an `off` row shows one of those apps), and "added" is against'
        " the variant's own `off`. Lexigram turns them on with"
        " `observability.metrics` / `observability.tracing`; FastAPI with"
        " prometheus-fastapi-instrumentator and opentelemetry-instrumentation-fastapi. Tracing"
        " runs a real OpenTelemetry SDK `TracerProvider` with a batch span processor and an"
        " exporter that drops every batch; each batch of a traced cell ends with the"
        " provider's `force_flush()` inside its timing, so the export thread's CPU time counts"
        " in the cell that made the spans."
        f" {VARIANT_NOTE}",
        "",
        "| framework | variant | CPU time per request | added | ratio to off | wall-clock ratio"
        " | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for framework in FRAMEWORKS:
        for variant in VARIANTS:
            row = by.get((framework, variant))
            if row is None:
                continue
            cpu = _cpu(row)
            off_cpu: float = row.get("off_median_cpu_ns", cpu)
            target = TARGETS.get(variant) if framework == LEXIGRAM else None
            lines.append(
                f"| {framework} | {variant} | {cpu / 1000:.1f} µs"
                f" | {(cpu - off_cpu) / 1000:+.1f} µs | {row.get('cpu_ratio_to_off', 1.0):.2f}x"
                f" | {row.get('ratio_to_off', 1.0):.2f}x"
                f" | {f'≤ {target:.2f}x' if target else ''} |"
            )
    if floor is not None:
        lines += [
            "",
            f"One span of the OpenTelemetry SDK alone (the same provider setup, started with six"
            f" attributes and ended, nothing else) took {_cpu(floor) / 1000:.1f} µs of CPU time"
            f" in the same run: the floor under tracing a request.",
        ]
    return lines
