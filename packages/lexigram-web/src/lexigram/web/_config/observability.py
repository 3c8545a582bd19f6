"""``ObservabilityConfig``: tracing, metrics and the access log (``WebConfig.observability``).

Every part is off by default. Tracing and metrics need extras (``lexigram-web[otel]``,
``lexigram-web[prometheus]``); turning one on without its extra fails at startup with the
install command.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, ImportString, field_validator, model_validator

__all__ = [
    "DEFAULT_BUCKETS",
    "AccessLogConfig",
    "MetricsConfig",
    "ObservabilityConfig",
    "TracingConfig",
]

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Latency histogram bounds in seconds."""

_EXPORTER = re.compile(r"global|none|console|[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class TracingConfig(_Section):
    """OpenTelemetry server spans (``pip install "lexigram-web[otel]"``).

    ``exporter`` says where spans go: ``global`` uses the process's tracer provider (set with
    ``opentelemetry.trace.set_tracer_provider`` before the app starts: startup fails when none
    is set); ``none`` gives the app its own SDK provider that records spans (trace ids in logs,
    problems and headers) but exports nothing; ``console`` prints finished spans to stdout;
    ``"package.module:factory"`` calls ``factory()`` for a ``SpanExporter`` (e.g. an OTLP
    exporter), batched. ``service_name`` names the provider the app creates (not allowed with
    ``global`` or ``tracer_provider``). ``tracer_provider`` (code only): a provider object to
    use instead. ``response_header``: how the response tells the caller its trace
    (``traceparent``: the W3C header of the server span; ``server-timing``:
    ``Server-Timing: traceparent;desc="..."``, readable by browsers; ``none``).
    ``pipeline_spans``: child spans for the guard chain (``guards``) and the handler call
    (``handler <name>``) under the server span; off by default (each span costs about as
    much as the server span itself).
    """

    enabled: bool = False
    exporter: str = "global"
    service_name: str | None = None
    tracer_provider: Any = None
    response_header: Literal["traceparent", "server-timing", "none"] = "traceparent"
    pipeline_spans: bool = False

    @field_validator("exporter")
    @classmethod
    def _exporter(cls, value: str) -> str:
        if not _EXPORTER.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an exporter; use 'global', 'none', 'console' or an import"
                " string 'package.module:factory' returning a SpanExporter"
            )
        return value

    @model_validator(mode="after")
    def _one_provider(self) -> Self:
        if self.tracer_provider is not None and self.exporter != "global":
            raise ValueError(
                "tracer_provider and exporter both choose where spans go; give only one"
            )
        if self.service_name is not None and (
            self.tracer_provider is not None or self.exporter == "global"
        ):
            raise ValueError(
                "service_name names a tracer provider the app creates (exporter 'none',"
                " 'console' or a factory); with the global provider or tracer_provider, set the"
                " service name on that provider's Resource instead"
            )
        return self


class MetricsConfig(_Section):
    """Prometheus metrics (``pip install "lexigram-web[prometheus]"``) served at ``path``.

    ``guard``: a guard (object or class with ``can_activate``, or its ``"module:attr"`` import
    string) protecting the endpoint. ``buckets``: latency histogram bounds in seconds.
    ``registry`` (code only): a ``prometheus_client.CollectorRegistry`` to register in (by
    default each app has its own). With ``PROMETHEUS_MULTIPROC_DIR`` set, every worker writes
    there and the endpoint serves the sum (``lexigram run`` empties it before the workers
    start).
    """

    enabled: bool = False
    path: str = "/metrics"
    guard: ImportString[Any] | None = None
    buckets: tuple[float, ...] = DEFAULT_BUCKETS
    registry: Any = None

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/") or len(value) < 2:
            raise ValueError(f"must be an absolute path such as '/metrics', got {value!r}")
        return value

    @field_validator("buckets")
    @classmethod
    def _increasing(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(b <= 0 for b in value) or list(value) != sorted(set(value)):
            raise ValueError(
                f"buckets must be positive and strictly increasing seconds, got {list(value)}"
            )
        return value


class AccessLogConfig(_Section):
    """One structured line per request on the ``lexigram.web.access`` logger: method, route,
    path (never the query string), status, duration, client, request id, trace id.

    When enabled the app writes, to stderr, in ``format`` (``json`` or ``keyvalue``), the
    access lines and every record of the framework's loggers (``lexigram.*``), which carry the
    same request fields. Header values (API keys, ``Authorization``, cookies) are never logged.
    """

    enabled: bool = False
    format: Literal["json", "keyvalue"] = "json"


class ObservabilityConfig(_Section):
    """``tracing``, ``metrics`` and ``access_log`` (each off by default)."""

    tracing: TracingConfig = TracingConfig()
    metrics: MetricsConfig = MetricsConfig()
    access_log: AccessLogConfig = AccessLogConfig()

    @property
    def enabled(self) -> bool:
        """Whether any part is on (when none is, requests pay nothing for observability)."""
        return self.tracing.enabled or self.metrics.enabled or self.access_log.enabled
