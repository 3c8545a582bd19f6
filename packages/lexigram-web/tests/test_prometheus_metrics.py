"""Metrics with the real prometheus-client registry, scraped over the app and parsed with
``prometheus_client.parser``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from lexigram.ratelimit.di import RateLimitModule
from lexigram.web import (
    AccessLogConfig,
    BearerTokenGuard,
    ConfigurationError,
    LexigramApp,
    MetricsConfig,
    ObservabilityConfig,
    WebSocket,
    throttle,
)
from lexigram.web.testing import AsyncTestClient, TestClient

pytestmark = [pytest.mark.extra("prometheus"), pytest.mark.extra("ratelimit")]

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def _app(access_log: bool = False, **metrics: Any) -> LexigramApp:
    app = LexigramApp(
        observability={
            "metrics": {"enabled": True, **metrics},
            "access_log": {"enabled": access_log},
        }
    )

    @app.get("/orders/{id:int}")
    async def order(id: int, limit: int = 10) -> dict[str, int]:
        return {"id": id, "limit": limit}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    return app


async def test_requests_are_counted_and_timed_by_method_route_template_and_status_class() -> None:
    async with AsyncTestClient(_app()) as client:
        for id in (1, 2, 3):
            assert (await client.get(f"/orders/{id}")).status_code == 200
        assert (await client.get("/orders/1?limit=x")).status_code == 422
        assert (await client.get("/boom")).status_code == 500
        scrape = await client.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain; version=")
    found = samples(scrape.text)
    route = {"method": "GET", "route": "/orders/{id}"}
    assert value(found, "http_requests_total", **route, status_class="2xx") == 3
    assert value(found, "http_requests_total", **route, status_class="4xx") == 1
    assert value(found, "http_requests_total", method="GET", route="/boom", status_class="5xx") == 1
    count = value(found, "http_request_duration_seconds_count", **route, status_class="2xx")
    assert count == 3
    total = value(found, "http_request_duration_seconds_sum", **route, status_class="2xx")
    assert total is not None and total > 0
    inf = value(
        found, "http_request_duration_seconds_bucket", **route, status_class="2xx", le="+Inf"
    )
    assert inf == 3


async def test_every_unknown_path_is_one_unmatched_route_label() -> None:
    async with AsyncTestClient(_app()) as client:
        for path in ("/a", "/b/c", "/orders/1/extra", "/%41"):
            assert (await client.get(path)).status_code == 404
        assert (await client.request("BREW", "/orders/1")).status_code == 405
        found = samples((await client.get("/metrics")).text)
    routes = {dict(labels)["route"] for name, labels in found if name == "http_requests_total"}
    assert routes == {"<unmatched>"}  # a 405 is answered by no route either
    assert (
        value(found, "http_requests_total", method="GET", route="<unmatched>", status_class="4xx")
        == 4
    )
    assert (
        value(
            found, "http_requests_total", method="_OTHER", route="<unmatched>", status_class="4xx"
        )
        == 1
    )


async def test_the_scrape_itself_is_in_flight() -> None:
    async with AsyncTestClient(_app()) as client:
        found = samples((await client.get("/metrics")).text)
        again = samples((await client.get("/metrics")).text)
    assert value(found, "http_requests_in_flight") == 1
    assert value(again, "http_requests_total", method="GET", route="/metrics",
                 status_class="2xx") == 1  # fmt: skip


async def test_alone_or_next_to_another_feature_the_metrics_are_the_same() -> None:
    """Metrics alone get a layer of their own (no context variable, the recording inline);
    with the access log on they go through the general middleware: same samples."""
    scraped: list[Samples] = []
    for access_log in (False, True):
        app = _app(access_log=access_log)
        async with AsyncTestClient(app) as client:
            kind = type(app._stack).__name__  # pyright: ignore[reportPrivateUsage]
            assert kind == ("ObservabilityMiddleware" if access_log else "MetricsOnly")
            for path in ("/orders/1", "/orders/2", "/orders/x", "/boom", "/nowhere"):
                await client.get(path)
            await client.post("/nowhere")
            await client.post("/orders/1")
            found = samples((await client.get("/metrics")).text)
        scraped.append({key: v for key, v in found.items()
                        if not key[0].endswith(("_created", "_sum"))})  # fmt: skip
    alone, general = scraped
    assert alone == general
    assert value(alone, "http_requests_total", method="POST", route="<unmatched>",
                 status_class="4xx") == 2  # fmt: skip
    assert value(alone, "http_requests_total", method="GET", route="<unmatched>",
                 status_class="4xx") == 2  # /orders/x, /nowhere  # fmt: skip
    assert value(alone, "http_requests_in_flight") == 1  # the scrape


async def test_rate_limit_decisions_are_counted_by_policy() -> None:
    app = LexigramApp(
        modules=[RateLimitModule.configure(default_limit="100/minute")],
        observability={"metrics": {"enabled": True}},
    )

    @app.get("/report")
    @throttle("2/minute", by="ip")
    async def report() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/other")
    async def other() -> dict[str, bool]:
        return {"ok": True}

    async with AsyncTestClient(app) as client:
        statuses = [(await client.get("/report")).status_code for _ in range(3)]
        await client.get("/other")
        scrapes = [await client.get("/metrics") for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert [s.status_code for s in scrapes] == [200, 200, 200]  # never rate limited
    found = samples(scrapes[-1].text)
    name = "lexigram_rate_limit_decisions_total"
    assert value(found, name, route="/report", policy="2/minute", decision="allowed") == 2
    assert value(found, name, route="/report", policy="2/minute", decision="denied") == 1
    assert value(found, name, route="/other", policy="100/minute", decision="allowed") == 1
    assert not any(dict(labels).get("route") == "/metrics" for n, labels in found if n == name)


@pytest.mark.parametrize("access_log", [False, True])
async def test_open_event_streams_are_gauged(access_log: bool) -> None:
    registry = CollectorRegistry()
    seen: list[float | None] = []
    app = LexigramApp(
        observability=ObservabilityConfig(
            metrics=MetricsConfig(enabled=True, registry=registry),
            access_log=AccessLogConfig(enabled=access_log),
        )
    )

    @app.sse("/events")
    async def events() -> AsyncIterator[str]:
        seen.append(registry.get_sample_value("lexigram_open_connections", {"kind": "sse"}))
        yield "one"

    async with AsyncTestClient(app) as client:
        response = await client.get("/events")
        assert "data: one" in response.text
    assert seen == [1.0]
    assert registry.get_sample_value("lexigram_open_connections", {"kind": "sse"}) == 0.0


def test_open_websockets_are_gauged() -> None:
    registry = CollectorRegistry()
    app = LexigramApp(
        observability=ObservabilityConfig(metrics=MetricsConfig(enabled=True, registry=registry))
    )

    @app.websocket("/live")
    async def live(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text("hello")
        await socket.receive_text()

    gauge = ("lexigram_open_connections", {"kind": "websocket"})
    with TestClient(app) as client, client.websocket_connect("/live") as socket:
        assert socket.receive_text() == "hello"
        assert registry.get_sample_value(*gauge) == 1.0
        socket.send_text("bye")
    assert registry.get_sample_value(*gauge) == 0.0


async def test_the_metrics_path_is_configurable_guardable_and_not_documented() -> None:
    app = _app(path="/internal/metrics", guard=BearerTokenGuard("s3cret"))
    async with AsyncTestClient(app) as client:
        assert (await client.get("/metrics")).status_code == 404
        refused = await client.get("/internal/metrics")
        wrong = await client.get("/internal/metrics", headers={"authorization": "Bearer x"})
        allowed = await client.get("/internal/metrics", headers={"authorization": "Bearer s3cret"})
        document = (await client.get("/openapi.json")).json()
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert wrong.status_code == 401
    assert allowed.status_code == 200
    assert "http_requests_total" in allowed.text
    assert set(document["paths"]) == {"/orders/{id}", "/boom"}


class Never:
    def can_activate(self, context: Any) -> bool:
        return False


async def test_a_guard_answering_false_is_a_403() -> None:
    async with AsyncTestClient(_app(guard=Never)) as client:
        response = await client.get("/metrics")
    assert response.status_code == 403
    assert response.json()["detail"] == "access denied by Never"


async def test_a_metrics_path_taken_by_a_route_fails_at_startup() -> None:
    app = _app()

    @app.get("/metrics")
    async def mine() -> dict[str, str]:
        return {"mine": "yes"}

    with pytest.raises(ConfigurationError, match=r"observability\.metrics\.path '/metrics'"):
        await app.startup()


async def test_two_apps_in_one_process_count_separately() -> None:
    first, second = _app(), _app()
    async with AsyncTestClient(first) as one, AsyncTestClient(second) as two:
        await one.get("/orders/1")
        await one.get("/orders/2")
        await two.get("/orders/1")
        counts = [
            value(samples((await c.get("/metrics")).text), "http_requests_total",
                  method="GET", route="/orders/{id}", status_class="2xx")
            for c in (one, two)
        ]  # fmt: skip
    assert counts == [2, 1]


def test_the_one_process_recorder_exposes_what_prometheus_client_metrics_would() -> None:
    from prometheus_client import generate_latest

    from lexigram.web._config.observability import DEFAULT_BUCKETS
    from lexigram.web._observe.local_metrics import LocalRecorder
    from lexigram.web._observe.metrics import ClientRecorder
    from lexigram.web._observe.observation import Observation, RouteMark

    exposed: list[Samples] = []
    for recorder_class in (LocalRecorder, ClientRecorder):
        registry = CollectorRegistry()
        recorder = recorder_class(registry, DEFAULT_BUCKETS)
        marks = {path: RouteMark("GET", path) for path in ("/a", "/b")}  # an app's routes
        for route, status, seconds in [("/a", 200, 0.003), ("/a", 200, 0.2), ("/a", 503, 7.0),
                                       (None, 404, 0.01), ("/b", 999, 0.05)]:  # fmt: skip
            obs = Observation({"type": "http"}, "http", "GET", 100.0)
            if recorder.started is not None:  # counted by the middleware
                recorder.started.count += 1
            recorder.begin(obs)
            obs.mark = marks[route] if route is not None else None
            obs.status, obs.end = status, 100.0 + seconds
            recorder.finish(obs)
        stream = Observation({"type": "websocket"}, "websocket", "GET", 0.0)
        stream.stream = "websocket"
        recorder.opened(stream)
        found = samples(generate_latest(registry).decode())
        exposed.append({key: v for key, v in found.items() if not key[0].endswith("_created")})
    local, client = exposed
    assert local == client
    assert value(local, "http_requests_total", method="GET", route="/b", status_class="5xx") == 1
    bucket = {"method": "GET", "route": "/a", "status_class": "2xx"}
    assert value(local, "http_request_duration_seconds_bucket", **bucket, le="0.005") == 1
    assert value(local, "http_request_duration_seconds_bucket", **bucket, le="0.25") == 2
    assert value(local, "lexigram_open_connections", kind="websocket") == 1


async def test_the_latency_buckets_are_configurable() -> None:
    async with AsyncTestClient(_app(buckets=[0.5, 30.0])) as client:
        await client.get("/orders/1")
        found = samples((await client.get("/metrics")).text)
    les = {
        dict(labels)["le"]
        for name, labels in found
        if name == "http_request_duration_seconds_bucket"
    }
    assert les == {"0.5", "30.0", "+Inf"}


@pytest.mark.parametrize("access_log", [False, True])
async def test_metrics_and_the_access_log_leave_nothing_for_the_cyclic_collector(
    capsys: pytest.CaptureFixture[str], access_log: bool
) -> None:
    from _garbage import garbage_per_request

    def build(observability: dict[str, Any] | None) -> LexigramApp:
        app = LexigramApp(observability=observability)

        @app.get("/items/{id:int}")
        async def item(id: int) -> dict[str, int]:
            return {"id": id}

        return app

    plain = await garbage_per_request(build(None), "/items/1")
    observed = await garbage_per_request(
        build({"metrics": {"enabled": True}, "access_log": {"enabled": access_log}}), "/items/1"
    )
    assert observed == plain
    capsys.readouterr()


def test_the_public_metrics_module_keeps_its_names() -> None:
    import lexigram.web.prometheus as prometheus

    assert prometheus.__all__ == ["Metrics", "prepare_multiprocess_dir"]
    assert all(callable(getattr(prometheus, name)) for name in prometheus.__all__)
