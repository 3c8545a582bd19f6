"""Two instances of the orders example (two ``lexigram run`` processes on two ports, standing
for two hosts) sharing one real redis-server and one PostgreSQL database: an order placed on
one instance reaches the live followers (Server-Sent Events and WebSocket) of the other through
the Redis broadcaster, with table polling set to every 30 seconds so that only the push can
deliver it in time; the rate limits count both instances' requests together; the order's
confirmation (an integration event on the Redis stream) is recorded once."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import queue
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from _postgres import PostgresDatabase
from _redis_server import RedisServer
from _servers import ServerProcess, free_port, server_command
from websockets.sync.client import connect

APP = "examples.orders:app"
VIEWER = {"X-API-Key": "demo-viewer"}
CLERK = {"X-API-Key": "demo-clerk"}
TEA = {"customer": "ACME", "lines": [{"sku": "TEA-SENCHA", "quantity": 1}]}
TIMEOUT = 10.0
ROUNDS = 9
Follower = Callable[[str, "queue.Queue[tuple[dict[str, Any], float]]"], None]


@pytest.fixture(scope="module")
def database() -> Iterator[PostgresDatabase]:
    database = PostgresDatabase()
    database.create()
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, database: PostgresDatabase
) -> Iterator[tuple[str, str]]:
    workdir = tmp_path_factory.mktemp("orders-two-instances")
    redis = RedisServer()
    redis.start()
    env = {
        "LEXIGRAM_REDIS_URL": redis.url,
        "LEXIGRAM_ORDERS__DATABASE": database.url,
        "LEXIGRAM_ORDERS__DEFAULT_RATE_LIMIT": "10000/minute",
        "LEXIGRAM_ORDERS__LIVE_POLL_INTERVAL": "30",
    }
    try:
        ports = free_port(), free_port()
        with (
            ServerProcess(server_command("uvicorn", APP, ports[0], 1), ports[0],
                          workdir / "a.log", env=env) as a,
            ServerProcess(server_command("granian", APP, ports[1], 1), ports[1],
                          workdir / "b.log", env=env) as b,
        ):  # fmt: skip
            yield a.url, b.url
    finally:
        redis.stop()


def place(url: str) -> int:
    response = httpx.post(url + "/v2/orders", json=TEA, headers=CLERK, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    order_id: int = response.json()["id"]
    return order_id


def created_at(data: dict[str, Any]) -> float:
    return dt.datetime.fromisoformat(data["at"]).timestamp()


def follow_events(url: str, heard: queue.Queue[tuple[dict[str, Any], float]]) -> None:
    """Read ``url``'s event stream, putting each ``order.created`` change with the time it
    arrived, until ``ROUNDS`` arrived (each read bounded by the client timeout)."""
    with httpx.stream("GET", url + "/v2/orders/events", headers=VIEWER, timeout=TIMEOUT) as stream:
        kind, count = None, 0
        for line in stream.iter_lines():
            if line.startswith(": changes after "):
                heard.put(({}, time.time()))  # following
            elif line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "order.created":
                heard.put((json.loads(line.removeprefix("data: ")), time.time()))
                count += 1
                if count == ROUNDS:
                    return


def follow_socket(url: str, heard: queue.Queue[tuple[dict[str, Any], float]]) -> None:
    """Like ``follow_events``, on the live WebSocket."""
    with connect(url.replace("http://", "ws://") + "/v2/orders/live",
                 additional_headers=VIEWER, open_timeout=TIMEOUT) as socket:  # fmt: skip
        heard.put(({}, time.time()))  # following
        count = 0
        while count < ROUNDS:
            change = json.loads(socket.recv(timeout=TIMEOUT))
            if change["type"] == "order.created":
                heard.put((change, time.time()))
                count += 1


@pytest.mark.parametrize("follow", [follow_events, follow_socket], ids=["sse", "websocket"])
def test_orders_placed_on_one_instance_reach_the_followers_of_the_other(
    instances: tuple[str, str], follow: Follower
) -> None:
    a, b = instances
    heard: queue.Queue[tuple[dict[str, Any], float]] = queue.Queue()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        following = pool.submit(follow, b, heard)
        heard.get(timeout=TIMEOUT)
        latencies: list[float] = []
        for _ in range(ROUNDS):
            order = place(a)
            change, arrived = heard.get(timeout=TIMEOUT)
            assert change["order_id"] == order
            latencies.append(arrived - created_at(change))
        following.result(timeout=TIMEOUT)
    # from the change being made on a to b's follower receiving it, with the fallback polling
    # of the table every 30 s: the push carried it
    assert statistics.median(latencies) < 0.1, latencies


def test_the_rate_limits_count_the_requests_of_both_instances_together(
    instances: tuple[str, str],
) -> None:
    statuses = [
        httpx.get(url + "/v2/reports/sales", headers=VIEWER, timeout=TIMEOUT).status_code
        for url in instances * 6
    ]
    assert sorted(statuses) == [200] * 5 + [429] * 7


def test_an_order_placed_on_one_instance_is_confirmed_once_and_the_other_hears_of_it(
    instances: tuple[str, str], database: PostgresDatabase
) -> None:
    a, b = instances
    with connect(b.replace("http://", "ws://") + "/v2/orders/live",
                 additional_headers=VIEWER, open_timeout=TIMEOUT) as socket:  # fmt: skip
        order = place(a)
        while True:  # each receive bounded by TIMEOUT
            change = json.loads(socket.recv(timeout=TIMEOUT))
            if change["type"] == "order.confirmed" and change["order_id"] == order:
                break
    with psycopg.connect(database.url) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM order_events WHERE type = 'order.confirmed' AND order_id = %s",
            (order,),
        ).fetchone() or (0,)
    assert count == 1


def test_both_instances_report_the_broadcaster_healthy(instances: tuple[str, str]) -> None:
    for url in instances:
        health = httpx.get(url + "/health", timeout=TIMEOUT).json()
        assert health["checks"]["broadcast"] == {"status": "healthy"}


def test_the_orders_example_pushes_through_redis_when_the_url_is_set(tmp_path: Path) -> None:
    from examples.orders.app import create_app
    from examples.orders.settings import load_settings
    from lexigram.web import load_web_config

    settings = load_settings(environ={"LEXIGRAM_REDIS_URL": "redis://127.0.0.1:1/0"})
    app = create_app(settings, load_web_config(tmp_path, environ={}))
    assert app.config.broadcast.backend == "redis"
    assert app.config.broadcast.url == "redis://127.0.0.1:1/0"
    assert create_app(load_settings(environ={})).config.broadcast.backend == "memory"
