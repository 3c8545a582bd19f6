"""Effect checks of the ``observability`` settings: tracing (``otel`` extra), metrics
(``prometheus`` extra) and the access log.

The tracing and metrics libraries are imported inside the checks, so the module loads without
the extras (the checks that need one are marked with it).
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

from config_effects_probe import Check, Env, both, call

from lexigram.web import BearerTokenGuard

ACCESS = "observability.access_log"
TRACING = "observability.tracing"
METRICS = "observability.metrics"
ON = {f"{TRACING}.enabled": True, f"{TRACING}.exporter": "none"}
METERED = {f"{METRICS}.enabled": True}
EXPORTERS: list[Any] = []
"""Exporters made by ``memory_exporter`` (an import-string factory needs a module attribute)."""


def memory_exporter() -> Any:
    """A span exporter keeping what it receives (``exporter: "config_effects_observability:
    memory_exporter"``)."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    EXPORTERS.append(exporter)
    return exporter


def _memory_provider() -> tuple[Any, Any]:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


async def _stderr_of(env: Env, settings: dict[str, Any]) -> str:
    captured = io.StringIO()
    env.monkeypatch.setattr(sys, "stderr", captured)
    await call(settings, "GET", "/")
    env.monkeypatch.undo()
    return captured.getvalue()


async def access_log_enabled(env: Env) -> None:
    before = await _stderr_of(env, {})
    after = await _stderr_of(env, {f"{ACCESS}.enabled": True})
    assert "lexigram.web.access" not in before
    (line,) = [line for line in after.splitlines() if "lexigram.web.access" in line]
    assert json.loads(line)["status"] == 200


async def access_log_format(env: Env) -> None:
    on = {f"{ACCESS}.enabled": True}
    before = await _stderr_of(env, on)
    after = await _stderr_of(env, {**on, f"{ACCESS}.format": "keyvalue"})
    assert json.loads(before.splitlines()[0])["method"] == "GET"
    assert " method=GET " in after and not after.startswith("{")


async def tracing_enabled(env: Env) -> None:
    before, after = await both(ON, "GET", "/", base={f"{TRACING}.exporter": "none"})
    assert "traceparent" not in before.headers
    assert after.headers["traceparent"].startswith("00-")


async def tracing_exporter(env: Env) -> None:
    EXPORTERS.clear()
    factory = {f"{TRACING}.exporter": "config_effects_observability:memory_exporter"}
    await call(ON, "GET", "/")
    await call({**ON, **factory}, "GET", "/")  # the provider flushes when the app stops
    (exporter,) = EXPORTERS
    assert "GET /" in [span.name for span in exporter.get_finished_spans()]


async def tracing_service_name(env: Env) -> None:
    EXPORTERS.clear()
    factory = {**ON, f"{TRACING}.exporter": "config_effects_observability:memory_exporter"}
    await call(factory, "GET", "/")
    await call({**factory, f"{TRACING}.service_name": "orders"}, "GET", "/")
    names = [e.get_finished_spans()[-1].resource.attributes["service.name"] for e in EXPORTERS]
    assert names == ["lexigram", "orders"]


async def tracing_tracer_provider(env: Env) -> None:
    provider, exporter = _memory_provider()
    await call(ON, "GET", "/")
    assert exporter.get_finished_spans() == ()
    await call({f"{TRACING}.enabled": True, f"{TRACING}.tracer_provider": provider}, "GET", "/")
    assert "GET /" in [span.name for span in exporter.get_finished_spans()]


async def tracing_response_header(env: Env) -> None:
    before, after = await both({f"{TRACING}.response_header": "server-timing"}, "GET", "/", base=ON)
    assert "traceparent" in before.headers and "server-timing" not in before.headers
    assert after.headers["server-timing"].startswith("traceparent;desc=")


async def tracing_pipeline_spans(env: Env) -> None:
    counts: list[int] = []
    for spans in (True, False):
        provider, exporter = _memory_provider()
        settings = {
            f"{TRACING}.enabled": True,
            f"{TRACING}.tracer_provider": provider,
            f"{TRACING}.pipeline_spans": spans,
        }
        await call(settings, "GET", "/")
        counts.append(len(exporter.get_finished_spans()))
    assert counts[0] > counts[1] == 1


async def metrics_enabled(env: Env) -> None:
    before, after = await both(METERED, "GET", "/metrics")
    assert (before.status_code, after.status_code) == (404, 200)
    assert "http_requests_total" in after.text


async def metrics_path(env: Env) -> None:
    before, after = await both({f"{METRICS}.path": "/stats"}, "GET", "/stats", base=METERED)
    assert (before.status_code, after.status_code) == (404, 200)


async def metrics_guard(env: Env) -> None:
    guarded = {f"{METRICS}.guard": BearerTokenGuard("t0ken")}
    before, after = await both(guarded, "GET", "/metrics", base=METERED)
    assert (before.status_code, after.status_code) == (200, 401)


async def metrics_buckets(env: Env) -> None:
    async def scrape(settings: dict[str, Any]) -> str:
        from config_effects_probe import config, probe_app

        from lexigram.web.testing import AsyncTestClient

        async with AsyncTestClient(probe_app(config(settings))) as client:
            await client.get("/")
            return (await client.get("/metrics")).text

    before = await scrape(METERED)
    after = await scrape({**METERED, f"{METRICS}.buckets": [0.75, 30.0]})
    assert 'le="0.005"' in before and 'le="0.75"' not in before
    assert 'le="0.75"' in after and 'le="0.005"' not in after


async def metrics_registry(env: Env) -> None:
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry()
    await call(METERED, "GET", "/")
    assert registry.get_sample_value("http_requests_total", _root_labels()) is None
    await call({**METERED, f"{METRICS}.registry": registry}, "GET", "/")
    assert registry.get_sample_value("http_requests_total", _root_labels()) == 1.0


def _root_labels() -> dict[str, str]:
    return {"method": "GET", "route": "/", "status_class": "2xx"}


CHECKS: dict[str, Check] = {
    f"{ACCESS}.enabled": access_log_enabled,
    f"{ACCESS}.format": access_log_format,
    f"{TRACING}.enabled": tracing_enabled,
    f"{TRACING}.exporter": tracing_exporter,
    f"{TRACING}.service_name": tracing_service_name,
    f"{TRACING}.tracer_provider": tracing_tracer_provider,
    f"{TRACING}.response_header": tracing_response_header,
    f"{TRACING}.pipeline_spans": tracing_pipeline_spans,
    f"{METRICS}.enabled": metrics_enabled,
    f"{METRICS}.path": metrics_path,
    f"{METRICS}.guard": metrics_guard,
    f"{METRICS}.buckets": metrics_buckets,
    f"{METRICS}.registry": metrics_registry,
}

EXTRAS = {name: "otel" for name in CHECKS if name.startswith(TRACING)} | {
    name: "prometheus" for name in CHECKS if name.startswith(METRICS)
}
"""Checks that need an optional extra installed."""
