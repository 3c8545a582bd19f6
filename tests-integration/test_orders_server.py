"""The orders example served by real servers (granian and uvicorn, 2 worker processes each) on
a free loopback port, with its rate limits on a real redis-server shared by the workers."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _redis_server import RedisServer
from _servers import ServerProcess, free_port, server_command, wait_for
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

APP = "examples.orders:app"
SERVERS = ["granian", "uvicorn"]
WORKERS = 2
VIEWER = {"X-API-Key": "demo-viewer"}
CLERK = {"X-API-Key": "demo-clerk"}
WAREHOUSE = {"X-API-Key": "demo-warehouse"}
MANAGER = {"X-API-Key": "demo-manager"}
TEA = {"customer": "ACME", "lines": [{"sku": "TEA-SENCHA", "quantity": 2}]}
TIMEOUT = 10.0


def orders_env(workdir: Path, **settings: str) -> dict[str, str]:
    env = {
        "LEXIGRAM_ORDERS__DATABASE": str(workdir / "orders.sqlite3"),
        "LEXIGRAM_ORDERS__DEFAULT_RATE_LIMIT": "10000/minute",
        "LEXIGRAM_ORDERS__LIVE_POLL_INTERVAL": "0.1",
    }
    env.update({f"LEXIGRAM_ORDERS__{key.upper()}": value for key, value in settings.items()})
    return env


@pytest.fixture(scope="module", params=SERVERS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    server: str = request.param
    workdir = tmp_path_factory.mktemp(f"orders-{server}")
    redis = RedisServer()
    redis.start()
    try:
        port = free_port()
        env = {**orders_env(workdir), "LEXIGRAM_REDIS_URL": redis.url}
        command = server_command(server, APP, port, WORKERS)
        with ServerProcess(command, port, workdir / "server.log", env=env) as process:
            yield process
    finally:
        redis.stop()


def call(served: ServerProcess, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request on its own connection (so requests spread over the workers)."""
    return httpx.request(method, served.url + path, timeout=TIMEOUT, **kwargs)


def place(served: ServerProcess) -> int:
    response = call(served, "POST", "/v2/orders", json=TEA, headers=CLERK)
    assert response.status_code == 201, response.text
    order_id: int = response.json()["id"]
    return order_id


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["type"]) == (status, "about:blank")
    assert body["title"]


def test_every_endpoint_answers(served: ServerProcess) -> None:
    shipped, cancelled = place(served), place(served)
    product = {"sku": "CUP-RED", "name": "Red cup", "price_cents": 700}
    expected = [
        ("GET", "/v2/orders", VIEWER, None, 200),
        ("GET", f"/v2/orders/{shipped}", VIEWER, None, 200),
        ("POST", f"/v2/orders/{shipped}/ship", WAREHOUSE, None, 200),
        ("POST", f"/v2/orders/{cancelled}/cancel", CLERK, None, 200),
        ("GET", "/v1/orders", VIEWER, None, 200),
        ("GET", f"/v1/orders/{shipped}", VIEWER, None, 200),
        ("GET", "/v2/products", VIEWER, None, 200),
        ("POST", "/v2/products", MANAGER, product, 201),
        ("GET", "/v2/products/CUP-RED", VIEWER, None, 200),
        ("PUT", "/v2/products/CUP-RED", MANAGER, {**product, "price_cents": 650}, 200),
        ("DELETE", "/v2/products/CUP-RED", MANAGER, None, 204),
        ("GET", "/health", {}, None, 200),
        ("GET", "/health/live", {}, None, 200),
        ("GET", "/health/ready", {}, None, 200),
        ("GET", "/openapi.json", {}, None, 200),
        ("GET", "/docs", {}, None, 200),
    ]
    answered = [
        (method, path, call(served, method, path, headers=headers, json=body).status_code)
        for method, path, headers, body, _ in expected
    ]
    assert answered == [(method, path, status) for method, path, _, _, status in expected]
    v1 = call(served, "GET", f"/v1/orders/{shipped}", headers=VIEWER)
    assert v1.headers["sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert v1.json()["status"] == "shipped"


def test_every_error_is_problem_json(served: ServerProcess) -> None:
    order = place(served)
    call(served, "POST", f"/v2/orders/{order}/ship", headers=WAREHOUSE)
    unknown_sku = {"customer": "ACME", "lines": [{"sku": "NOPE", "quantity": 1}]}
    bad_json = {**CLERK, "content-type": "application/json"}
    cases = [
        (call(served, "GET", "/v2/orders"), 401),
        (call(served, "GET", "/v2/orders", headers={"X-API-Key": "guess"}), 401),
        (call(served, "POST", "/v2/orders", json=TEA, headers=VIEWER), 403),
        (call(served, "GET", "/v2/orders/999999", headers=VIEWER), 404),
        (call(served, "GET", "/nowhere", headers=VIEWER), 404),
        (call(served, "DELETE", "/v2/orders", headers=MANAGER), 405),
        (call(served, "POST", f"/v2/orders/{order}/cancel", headers=MANAGER), 409),
        (call(served, "POST", "/v2/orders", json={"lines": []}, headers=CLERK), 422),
        (call(served, "POST", "/v2/orders", json=unknown_sku, headers=CLERK), 422),
        (call(served, "POST", "/v2/orders", content=b"{", headers=bad_json), 400),
    ]
    for response, status in cases:
        assert_problem(response, status)
    assert cases[0][0].headers["www-authenticate"] == 'ApiKey header="X-API-Key"'


def test_the_throttle_is_exact_across_workers_on_redis(served: ServerProcess) -> None:
    def report(_: int) -> httpx.Response:
        return call(served, "GET", "/v2/reports/sales", headers=VIEWER)

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(report, range(12)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 5 + [429] * 7
    for response in responses:
        if response.status_code == 429:
            assert_problem(response, 429)
            assert int(response.headers["retry-after"]) > 0


def test_server_sent_events_announce_a_new_order(served: ServerProcess) -> None:
    with (
        httpx.Client(base_url=served.url, timeout=TIMEOUT) as client,
        client.stream("GET", "/v2/orders/events", headers=VIEWER) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines).startswith(": changes after ")
        assert next(lines) == "retry: 2000"
        order = place(served)
        event = next_event(lines, "order.created")
    assert event["order_id"] == order
    assert event["status"] == "placed"


def next_event(lines: Iterator[str], wanted: str) -> dict[str, Any]:
    """The data of the next ``wanted`` event (each read is bounded by the client timeout)."""
    kind = None
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: ") and kind == wanted:
            data: dict[str, Any] = json.loads(line.removeprefix("data: "))
            return data
    pytest.fail(f"the stream ended before a {wanted} event")


def test_the_websocket_announces_a_new_order(served: ServerProcess) -> None:
    url = served.url.replace("http://", "ws://") + "/v2/orders/live"
    with connect(url, additional_headers=VIEWER, open_timeout=TIMEOUT) as socket:
        order = place(served)
        seen: list[dict[str, Any]] = []
        while not any(e["type"] == "order.confirmed" for e in seen):
            change = json.loads(socket.recv(timeout=TIMEOUT))
            if change["order_id"] == order:  # not a late change of an earlier test's order
                seen.append(change)
    assert [(e["type"], e["order_id"]) for e in seen] == [
        ("order.created", order),
        ("order.confirmed", order),
    ]


@pytest.mark.parametrize("server", SERVERS)
def test_sigterm_lets_in_flight_requests_finish_then_exits(server: str, tmp_path: Path) -> None:
    port = free_port()
    env = orders_env(tmp_path, report_delay="1.5", live_max_seconds="2")
    command = server_command(server, APP, port, WORKERS)
    with (
        ServerProcess(command, port, tmp_path / "server.log", env=env) as process,
        concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool,
    ):
        streaming, listening = threading.Event(), threading.Event()
        stream = pool.submit(read_stream, process, streaming)
        socket = pool.submit(read_socket, process, listening)
        slow = pool.submit(call, process, "GET", "/v2/reports/sales", headers=VIEWER)
        wait_for(streaming.is_set, "the event stream")
        wait_for(listening.is_set, "the websocket")
        wait_for(lambda: "sales report: aggregating" in process.output(), "the slow request")
        returncode = process.terminate()
        response = slow.result(timeout=TIMEOUT)
        streamed = stream.result(timeout=TIMEOUT)
        close_code = socket.result(timeout=TIMEOUT)
    assert response.status_code == 200, process.output()
    # The servers end open sockets themselves on SIGTERM: uvicorn with 1012 (service restart),
    # granian by dropping the connection (1006); 1000 when the stream's time ran out first.
    assert close_code in (1000, 1006, 1012)
    assert response.json()["revenue_cents"] == 0
    assert streamed.startswith(": changes after 0\nretry: 2000\n"), streamed
    assert returncode in (0, -signal.SIGTERM), process.output()


def read_stream(served: ServerProcess, started: threading.Event) -> str:
    """An SSE stream read to its end (the example ends streams after live_max_seconds);
    ``started`` is set once the first bytes arrived."""
    chunks: list[str] = []
    with httpx.stream(
        "GET", served.url + "/v2/orders/events", headers=VIEWER, timeout=TIMEOUT
    ) as stream:
        for chunk in stream.iter_text():
            chunks.append(chunk)
            started.set()
    return "".join(chunks)


def read_socket(served: ServerProcess, started: threading.Event) -> int | None:
    """The close code of a live WebSocket left open until the server ends it."""
    url = served.url.replace("http://", "ws://") + "/v2/orders/live"
    with connect(url, additional_headers=VIEWER, open_timeout=TIMEOUT) as socket:
        started.set()
        with contextlib.suppress(ConnectionClosed):
            while True:
                socket.recv(timeout=TIMEOUT)
    return socket.close_code
