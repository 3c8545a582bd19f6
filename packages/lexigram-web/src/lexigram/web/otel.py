"""OpenTelemetry tracing for Lexigram applications (``pip install "lexigram-web[otel]"``).

Turned on with ``WebConfig.observability.tracing`` (or ``LexigramApp(observability=...)``):

- one SERVER span per HTTP request, named ``"{method} {route template}"`` (``"GET
  /orders/{id}"``, never the raw path; a request no route answers keeps the name ``"GET"``),
  with ``http.request.method``, ``http.route``, ``http.response.status_code``, ``url.scheme``,
  ``url.path``, ``server.address``, ``server.port`` and ``client.address``; status ERROR (and
  ``error.type``) on a 5xx, with the exception recorded on the span (the response still carries
  no exception text);
- W3C trace context: an incoming ``traceparent``/``tracestate`` makes the span a child of the
  caller's; the response carries the server span's ``traceparent`` header (or ``Server-Timing:
  traceparent;desc="..."``, or nothing: ``response_header``);
- child spans ``guards`` (the guard chain) and ``handler <name>`` (binding, pipes and the
  handler), and ``TracingBehaviour`` for lexigram-cqrs dispatch;
- ``trace_id`` in every problem+json body, in ``request.state.trace_id``, on log records (see
  ``RequestContextFilter``) and in background tasks, which run in the request's context.
"""

from __future__ import annotations

from ._observe.tracing import Tracing, TracingBehaviour, tracer_provider_for

__all__ = ["Tracing", "TracingBehaviour", "tracer_provider_for"]
