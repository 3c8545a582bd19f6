"""Tracing: the server span of each request, child spans, the CQRS behaviour (the public
face is ``lexigram.web.otel``, which documents them); needs the ``otel`` extra."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Final

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SDKTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    from opentelemetry.trace import ProxyTracerProvider, SpanKind, Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError:  # pragma: no cover - exercised by the no-extras run
    raise ImportError('tracing needs OpenTelemetry: pip install "lexigram-web[otel]"') from None

from lexigram.http_errors import HTTPError

from .._config.observability import TracingConfig
from .._declare.errors import ConfigurationError
from .._http.context import ExecutionContext, RouteInfo
from .hooks import Step
from .middleware import Feature
from .observation import OBSERVATION, Observation, current_observation

__all__ = ["Tracing", "TracingBehaviour", "tracer_provider_for"]

INSTRUMENTATION: Final = "lexigram.web"
_ERROR: Final = Status(StatusCode.ERROR)
_PROPAGATOR: Final = TraceContextTextMapPropagator()


def tracer_provider_for(config: TracingConfig) -> tuple[Any, bool]:
    """The provider ``config`` asks for, and whether the app created it (then the app shuts it
    down, flushing its spans, when it stops). ``ConfigurationError`` naming the fix when the
    global provider is wanted but none is set, or an exporter factory cannot be used."""
    if config.tracer_provider is not None:
        return config.tracer_provider, False
    if config.exporter == "global":
        provider = trace.get_tracer_provider()
        if isinstance(provider, ProxyTracerProvider):
            raise ConfigurationError(
                "observability.tracing.exporter is 'global' but no OpenTelemetry tracer provider"
                " is set: call opentelemetry.trace.set_tracer_provider(...) before the app starts,"
                " or set exporter to 'none', 'console' or 'package.module:factory'"
            )
        return provider, False
    resource = Resource.create({"service.name": config.service_name or "lexigram"})
    provider = SDKTracerProvider(resource=resource)
    if config.exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter(out=sys.stdout)))
    elif config.exporter != "none":
        provider.add_span_processor(BatchSpanProcessor(_exporter(config.exporter)))
    return provider, True


def _exporter(spec: str) -> Any:
    module_name, _, attribute = spec.partition(":")
    where = f"observability.tracing.exporter {spec!r}"
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"{where} cannot be imported: {exc}") from None
    exporter = target() if callable(target) and not hasattr(target, "export") else target
    if isinstance(exporter, type) or not callable(getattr(exporter, "export", None)):
        raise ConfigurationError(
            f"{where} must be a SpanExporter or a factory returning one, got {exporter!r}"
        )
    return exporter


class Tracing(Feature):
    """Server spans for one app (see the module docstring); built at startup."""

    def __init__(self, provider: Any, *, response_header: str = "traceparent", owned: bool = False):
        self.provider = provider
        self.owned = owned
        self.tracer = provider.get_tracer(INSTRUMENTATION)
        self._header = response_header

    @classmethod
    def from_config(cls, config: TracingConfig) -> Tracing:
        provider, owned = tracer_provider_for(config)
        return cls(provider, response_header=config.response_header, owned=owned)

    def shutdown(self) -> None:
        """Flush and stop the provider when the app created it."""
        if self.owned:
            self.provider.shutdown()

    def begin(self, obs: Observation) -> None:
        if obs.kind != "http":
            return
        scope = obs.scope
        carrier: dict[str, str] | None = None
        host = b""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"traceparent" or name == b"tracestate":
                if carrier is None:
                    carrier = {}
                carrier[name.decode("latin-1")] = value.decode("latin-1")
        parent = _PROPAGATOR.extract(carrier) if carrier is not None else None
        span = self.tracer.start_span(
            obs.method, parent, SpanKind.SERVER, _attributes(obs, scope, host)
        )
        obs.span = span
        obs.token = otel_context.attach(trace.set_span_in_context(span, parent))
        context = span.get_span_context()
        if not context.is_valid:
            return
        obs.tracer = self.tracer
        obs.trace_id = trace_id = format(context.trace_id, "032x")
        obs.span_id = span_id = format(context.span_id, "016x")
        scope.setdefault("state", {})["trace_id"] = trace_id
        if self._header != "none":
            value = f"00-{trace_id}-{span_id}-{context.trace_flags:02x}"
            if self._header == "traceparent":
                obs.headers = [(b"traceparent", value.encode("latin-1"))]
            else:
                timing = f'traceparent;desc="{value}"'.encode("latin-1")
                obs.headers = [(b"server-timing", timing)]

    def finish(self, obs: Observation) -> None:
        span = obs.span
        if span is None:
            return
        try:
            route = obs.route
            status = obs.status
            attributes: dict[str, Any] = {"http.response.status_code": status}
            if route is not None:
                span.update_name(f"{obs.method} {route}")
                attributes["http.route"] = route
            if status >= 500:
                exc = obs.exception
                if exc is not None:
                    span.record_exception(exc)
                attributes["error.type"] = (
                    type(exc).__qualname__ if exc is not None else str(status)
                )
                span.set_status(_ERROR)
            span.set_attributes(attributes)
            span.end()
        finally:
            obs.span = None
            otel_context.detach(obs.token)
            obs.token = None

    # -- pipeline stages ------------------------------------------------------------------------
    def guards(self, step: Step, info: RouteInfo) -> Step:
        return _traced(self.tracer, "guards", step, record=False)

    def handler(self, step: Step, info: RouteInfo) -> Step:
        return _traced(self.tracer, f"handler {info.name}", step, record=True)


def _attributes(obs: Observation, scope: Any, host: bytes) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "http.request.method": obs.method,
        "url.scheme": scope.get("scheme", "http"),
        "url.path": scope["path"],
    }
    if host:
        name, _, port = host.decode("latin-1").rpartition(":")
        if not name or "]" in port:  # no port given ("example.com", "[::1]")
            name, port = host.decode("latin-1"), ""
        attributes["server.address"] = name
        if port.isdigit():
            attributes["server.port"] = int(port)
    client = scope.get("client")
    if client:
        attributes["client.address"] = client[0]
    return attributes


def _traced(tracer: Any, name: str, step: Step, record: bool) -> Step:
    """``step`` inside an INTERNAL span (no attributes: each costs a validation per request),
    current while it runs. An exception is recorded (status ERROR unless it is an HTTP error
    below 500) and, from the handler, noted on the observation so the server span records it
    too."""

    async def traced(ctx: ExecutionContext) -> Any:
        span = tracer.start_span(name)
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            return await step(ctx)
        except Exception as exc:
            if not isinstance(exc, HTTPError) or exc.status_code >= 500:
                span.record_exception(exc)
                span.set_status(_ERROR)
                obs: Observation | None = ctx.scope.get(OBSERVATION)
                if obs is not None and record:
                    obs.exception = exc
            raise
        finally:
            span.end()
            otel_context.detach(token)

    return traced


class TracingBehaviour:
    """A lexigram-cqrs pipeline behaviour: each message handled inside a span named
    ``"cqrs <MessageType>"`` (exceptions recorded, status ERROR).

    With no ``tracer_provider`` it traces only messages sent while a traced request is
    handled, with that app's tracer (outside one it costs one context-variable read);
    with one, every message is traced with it.
    """

    __slots__ = ("_tracer",)

    def __init__(self, tracer_provider: Any = None) -> None:
        self._tracer = (
            tracer_provider.get_tracer(INSTRUMENTATION) if tracer_provider is not None else None
        )

    async def __call__(self, message: Any, next: Any, /) -> Any:
        tracer = self._tracer
        if tracer is None:
            obs = current_observation()
            tracer = obs.tracer if obs is not None else None
            if tracer is None:
                return await next(message)
        kind: type[object] = message.__class__
        attributes = {"lexigram.cqrs.message_type": f"{kind.__module__}.{kind.__qualname__}"}
        with tracer.start_as_current_span(f"cqrs {kind.__name__}", attributes=attributes):
            return await next(message)
