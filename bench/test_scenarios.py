"""Every framework answers every scenario the same way before anything is timed.

For each scenario the status, content type, body (parsed JSON, or text) and the interceptor's
header must match the scenario's expectation in every framework and in the bare ASGI floor;
errors must match the framework's own error shape. Each scenario's bad inputs must be refused
with a 4xx, which proves the validation and the guard actually run in the timed app. A broken
scenario cannot produce a flattering number.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from webbench import asgi
from webbench import scenarios as s
from webbench.checks import check_answer, stable
from webbench.frameworks import FLOOR, LOOPBACK_FRAMEWORKS, ROUTING_FRAMEWORKS, load

PAIRS = [(name, key) for key in s.SCENARIOS for name in LOOPBACK_FRAMEWORKS]
BAD = [
    (name, key, i)
    for key, sc in s.SCENARIOS.items()
    for i in range(len(sc.bad))
    for name in LOOPBACK_FRAMEWORKS
]


@asynccontextmanager
async def started(app: Any) -> AsyncIterator[Any]:
    lifespan = asgi.Lifespan(app)
    await lifespan.startup()
    try:
        yield app
    finally:
        await lifespan.shutdown()


def test_the_json_payload_is_about_one_kilobyte() -> None:
    size = len(json.dumps(s.PAYLOAD, separators=(",", ":")))
    assert 900 <= size <= 1100


@pytest.mark.parametrize(("framework", "key"), PAIRS)
async def test_scenario_answer_is_the_same_in_every_framework(framework: str, key: str) -> None:
    scenario = s.SCENARIOS[key]
    module = load(framework)
    async with started(module.build(key)) as app:
        first = await asgi.call(app, scenario.request)
        again = await asgi.call(app, scenario.request)
    check_answer(module, scenario, first)
    assert (again.status, stable(again)) == (first.status, stable(first))


@pytest.mark.parametrize(("framework", "key", "index"), BAD)
async def test_bad_input_is_refused(framework: str, key: str, index: int) -> None:
    scenario = s.SCENARIOS[key]
    async with started(load(framework).build(key)) as app:
        response = await asgi.call(app, scenario.bad[index])
    assert 400 <= response.status < 500


@pytest.mark.parametrize("framework", [*ROUTING_FRAMEWORKS, FLOOR])
@pytest.mark.parametrize("count", [10, 1_000])
async def test_route_count_app_answers_its_last_route(framework: str, count: int) -> None:
    async with started(load(framework).build_routes(count)) as app:
        last = await asgi.call(app, s.routes_request(count))
        first = await asgi.call(app, asgi_request_for_route(0))
    assert (last.status, json.loads(last.body)) == (200, s.routes_body(count))
    assert (first.status, json.loads(first.body)) == (200, {"route": 0, "id": 7})


def asgi_request_for_route(index: int) -> s.Request:
    return s.Request("GET", f"/r{index}/7")


async def test_timing_refuses_a_run_that_answered_another_status() -> None:
    module = load("raw Starlette")
    async with started(module.build(s.PLAINTEXT)) as app:
        wall, cpu = await asgi.time_requests(app, s.SCENARIOS[s.PLAINTEXT].request, 3, 200)
        assert wall > 0
        assert cpu > 0
        with pytest.raises(RuntimeError, match="answered 404"):
            await asgi.time_requests(app, s.Request("GET", "/nowhere"), 3, 200)


async def test_garbage_count_finds_the_reference_cycles_an_app_leaves_per_request() -> None:
    async def cyclic(scope: Any, receive: Any, send: Any) -> None:
        node: dict[str, Any] = {}
        node["self"] = node  # one dict in a cycle: garbage for the collector per request
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    plaintext = s.SCENARIOS[s.PLAINTEXT].request
    async with started(load(FLOOR).build(s.PLAINTEXT)) as floor:
        targets = [
            (cyclic, s.Request("GET", "/"), 200),
            (floor, plaintext, 200),
            (cyclic, plaintext, 200),
        ]
        assert await asgi.garbage_per_request(targets, 50) == [1.0, 0.0, 1.0]
