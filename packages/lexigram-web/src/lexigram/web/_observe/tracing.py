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
from .observation import Observation, current_observation

__all__ = ["Tracing", "TracingBehaviour", "tracer_provider_for"]

INSTRUMENTATION: Final = "lexigram.web"
_ERROR: Final = Status(StatusCode.ERROR)
_PROPAGATOR: Final = TraceContextTextMapPropagator()
_TRACEPARENT: Final = b"traceparent"
_RESPONSE_HEADERS: Final[dict[str, bytes | None]] = {
    "traceparent": _TRACEPARENT,
    "server-timing": b"server-timing",
    "none": None,
}
_CACHED: Final = 256
"""At most this many ``Host`` values get their attributes cached."""
WEBSOCKET: Final = "WEBSOCKET"
"""The name of a WebSocket connection's span until its route is known."""


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
    """Server spans for one app (see ``lexigram.web.otel``); built at startup.

    Per request: one ``start_span`` with the request's attributes (those a sampler may read),
    its context attached, the ids formatted once (trace id for problems, logs and the
    response header); at the end the route's name built at startup (``RouteMark``), the route
    and status attributes, ERROR only on a failure, and ``end``. A WebSocket connection gets
    one span from handshake to close.
    """

    def __init__(self, provider: Any, *, response_header: str = "traceparent", owned: bool = False):
        self.provider = provider
        self.owned = owned
        self.tracer = provider.get_tracer(INSTRUMENTATION)
        self._start_span = self.tracer.start_span
        self._header: bytes | None = _RESPONSE_HEADERS[response_header]
        self._hosts: dict[bytes, dict[str, Any]] = {}

    @classmethod
    def from_config(cls, config: TracingConfig) -> Tracing:
        provider, owned = tracer_provider_for(config)
        return cls(provider, response_header=config.response_header, owned=owned)

    def shutdown(self) -> None:
        """Flush and stop the provider when the app created it."""
        if self.owned:
            self.provider.shutdown()

    def begin(self, obs: Observation) -> None:
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
        server = self._hosts.get(host)
        if server is None:
            server = _server_attributes(host)
            if len(self._hosts) < _CACHED:  # the Host header is the client's: bounded
                self._hosts[host] = server
        client = scope.get("client")
        attributes = {
            "http.request.method": obs.method,
            "url.scheme": scope.get("scheme", "http"),
            "url.path": scope["path"],
            **server,
        }
        if client:
            attributes["client.address"] = client[0]
        name = obs.method if obs.kind == "http" else WEBSOCKET
        span = self._start_span(name, parent, SpanKind.SERVER, attributes)
        obs.span = span
        obs.token = otel_context.attach(trace.set_span_in_context(span, parent))
        context = span.get_span_context()
        if not context.is_valid:
            return
        obs.tracer = self.tracer
        obs.trace_id = trace_id = f"{context.trace_id:032x}"
        obs.span_id = span_id = f"{context.span_id:016x}"
        scope.setdefault("state", {})["trace_id"] = trace_id
        header = self._header
        if header is not None:
            value = f"00-{trace_id}-{span_id}-{context.trace_flags:02x}"
            if header is _TRACEPARENT:
                obs.headers = [(header, value.encode("latin-1"))]
            else:
                obs.headers = [(header, f'traceparent;desc="{value}"'.encode("latin-1"))]

    def finish(self, obs: Observation) -> None:
        span = obs.span
        if span is None:
            return
        try:
            status = obs.status
            mark = obs.mark
            if mark is not None:
                span.update_name(mark.span_name)
                span.set_attribute("http.route", mark.template)
            # one attribute a call: cheaper in the SDK than a dict of two
            span.set_attribute("http.response.status_code", status)
            exc = obs.exception
            if status >= 500 or exc is not None:
                if exc is not None:
                    span.record_exception(exc)
                error = type(exc).__qualname__ if exc is not None else str(status)
                span.set_attribute("error.type", error)
                span.set_status(_ERROR)
            span.end()
        finally:
            obs.span = None
            otel_context.detach(obs.token)
            obs.token = None

    # -- pipeline stages (pipeline_spans) -------------------------------------------------------
    def guards(self, step: Step, info: RouteInfo) -> Step:
        return _traced(self.tracer, "guards", step)

    def handler(self, step: Step, info: RouteInfo) -> Step:
        return _traced(self.tracer, f"handler {info.name}", step)


def _server_attributes(host: bytes) -> dict[str, Any]:
    """``server.address`` and ``server.port`` from a ``Host`` header (none when empty)."""
    if not host:
        return {}
    text = host.decode("latin-1")
    name, _, port = text.rpartition(":")
    if not name or "]" in port:  # no port given ("example.com", "[::1]")
        name, port = text, ""
    if port.isdigit():
        return {"server.address": name, "server.port": int(port)}
    return {"server.address": name}


def _traced(tracer: Any, name: str, step: Step) -> Step:
    """``step`` inside an INTERNAL span (no attributes: each costs a validation per request),
    current while it runs. An exception is recorded (status ERROR unless it is an HTTP error
    below 500)."""

    async def traced(ctx: ExecutionContext) -> Any:
        span = tracer.start_span(name)
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            return await step(ctx)
        except Exception as exc:
            if not isinstance(exc, HTTPError) or exc.status_code >= 500:
                span.record_exception(exc)
                span.set_status(_ERROR)
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
