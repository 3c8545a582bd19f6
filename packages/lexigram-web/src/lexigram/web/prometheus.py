"""Prometheus metrics for Lexigram applications (``pip install "lexigram-web[prometheus]"``).

Turned on with ``WebConfig.observability.metrics`` (or ``LexigramApp(observability=...)``),
served at ``metrics.path`` (``/metrics``; no rate limit, not in the OpenAPI document, behind
``metrics.guard`` when one is set):

- ``http_requests_total`` and ``http_request_duration_seconds`` (histogram, to the last body
  byte) by ``method``, ``route`` (the route template; ``<unmatched>`` for every path no route
  answers, so clients cannot grow the label set) and ``status_class`` (``2xx``...);
- ``http_requests_in_flight``;
- ``lexigram_rate_limit_decisions_total`` by ``route``, ``policy`` (the rate) and ``decision``
  (``allowed``/``denied``), counted where ``@throttle`` decides;
- ``lexigram_open_connections`` by ``kind`` (``websocket``, ``sse``).

With several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory) in the server's
environment: each worker writes its values there and the endpoint serves their sum.
``lexigram run`` empties the directory before the workers start; with another launcher, call
``prepare_multiprocess_dir()`` (or empty it) before starting the server.
"""

from __future__ import annotations

from ._observe.metrics import Metrics, prepare_multiprocess_dir

__all__ = ["Metrics", "prepare_multiprocess_dir"]
