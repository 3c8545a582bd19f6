"""Draw ``docs/img/observability.png``: the span tree of one request to the Orders example and
the ``/metrics`` lines it left.

    uv run --group bench python scripts/observability_picture.py

The example runs in-process on an in-memory database, with its own ``application.yaml`` except
that spans go to an in-memory exporter; matplotlib (the ``bench`` group) draws the picture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.orders import create_app, load_settings  # noqa: E402
from examples.orders.settings import HERE  # noqa: E402
from lexigram.web import load_web_config  # noqa: E402
from lexigram.web.testing import TestClient  # noqa: E402

OUT = ROOT / "docs" / "img" / "observability.png"
CLERK = {"X-API-Key": "demo-clerk"}
ORDER = {"customer": "ACME", "lines": [{"sku": "TEA-SENCHA", "quantity": 2}]}
SHOWN = ("http_requests_total", "http_request_duration_seconds_count", "lexigram_rate_limit")


def run_example() -> tuple[list[ReadableSpan], list[str]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    web = load_web_config(HERE, environ={})
    tracing = web.observability.tracing.model_copy(
        update={"exporter": "global", "service_name": None, "tracer_provider": provider}
    )
    observability = web.observability.model_copy(update={"tracing": tracing})
    app = create_app(
        load_settings(environ={}, database=":memory:"),
        web.model_copy(update={"observability": observability}),
    )
    with TestClient(app) as client:
        placed = client.post("/v2/orders", json=ORDER, headers=CLERK)
        trace_id = int(placed.headers["traceparent"].split("-")[1], 16)
        client.get("/v2/orders/999", headers=CLERK)
        metrics = client.get("/metrics").text
    spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
    lines = [
        line
        for line in metrics.splitlines()
        if line.startswith(SHOWN) and "_created" not in line and not line.endswith(" 0.0")
    ]
    return spans, lines


def ordered(spans: list[ReadableSpan]) -> list[tuple[int, ReadableSpan]]:
    """Depth-first, children by start time: ``(depth, span)``."""
    children: dict[int | None, list[ReadableSpan]] = {}
    ids = {s.context.span_id for s in spans}
    for span in spans:
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        children.setdefault(parent, []).append(span)
    result: list[tuple[int, ReadableSpan]] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s.start_time or 0):
            result.append((depth, span))
            walk(span.context.span_id, depth + 1)

    walk(None, 0)
    return result


def draw(spans: list[ReadableSpan], lines: list[str]) -> None:
    rows = ordered(spans)
    start = min(s.start_time or 0 for s in spans)
    figure, (tree, text) = plt.subplots(
        2, 1, figsize=(11, 5), gridspec_kw={"height_ratios": [len(rows) * 1.6, len(lines) + 2]}
    )
    for index, (depth, span) in enumerate(rows):
        begin = ((span.start_time or 0) - start) / 1e6
        length = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
        tree.barh(index, length, left=begin, color=f"C{depth}", height=0.45)
        tree.text(begin, index - 0.3, f"{span.name}  ({length:.2f} ms)", fontsize=9, va="bottom")
    tree.invert_yaxis()
    tree.set_yticks([])
    tree.set_xlabel("milliseconds since the request arrived")
    tree.set_title("POST /v2/orders in the Orders example: the server span and its children")
    tree.spines[["top", "right", "left"]].set_visible(False)
    text.axis("off")
    text.set_title("GET /metrics afterwards (excerpt)", loc="left", fontsize=10)
    text.text(0, 1, "\n".join(lines), family="monospace", fontsize=8.5, va="top")
    figure.tight_layout()
    figure.savefig(OUT, dpi=110)


def main() -> None:
    spans, lines = run_example()
    draw(spans, lines)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(spans)} spans, {len(lines)} metric lines")


if __name__ == "__main__":
    main()
