"""Order confirmations survive ``kill -9``: a real server is killed while confirmations are in
flight, and the next start confirms every order exactly once.

Without Redis the next start resumes the unconfirmed orders from the database; with Redis the
``OrderPlaced`` events wait in the stream: the one the dead consumer held is claimed by the new
process's consumer, which also reads the others. ``confirmation_delay`` keeps the
confirmations in flight long enough.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from _postgres import PostgresDatabase
from _redis_server import RedisServer
from _servers import ServerProcess, free_port, server_command, wait_for

APP = "examples.orders:app"
CLERK = {"X-API-Key": "demo-clerk"}
TEA = {"customer": "ACME", "lines": [{"sku": "TEA-SENCHA", "quantity": 2}]}
ORDERS = 3


def serve(workdir: Path, name: str, **settings: Any) -> ServerProcess:
    env = {
        "LEXIGRAM_ORDERS__DATABASE": str(workdir / "orders.sqlite3"),
        "LEXIGRAM_ORDERS__DEFAULT_RATE_LIMIT": "10000/minute",
        "LEXIGRAM_ORDERS__EVENT_CLAIM_IDLE": "1",
    }
    redis_url = settings.pop("redis_url", None)
    if redis_url:
        env["LEXIGRAM_REDIS_URL"] = redis_url
    env.update({f"LEXIGRAM_ORDERS__{key.upper()}": str(v) for key, v in settings.items()})
    port = free_port()
    command = server_command("uvicorn", APP, port, 1)
    return ServerProcess(command, port, workdir / f"{name}.log", env=env)


def place_orders(server: ServerProcess) -> list[int]:
    ids = []
    for _ in range(ORDERS):
        response = httpx.post(server.url + "/v2/orders", json=TEA, headers=CLERK, timeout=10)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def confirmed(server: ServerProcess, ids: list[int]) -> bool:
    for order_id in ids:
        response = httpx.get(f"{server.url}/v2/orders/{order_id}", headers=CLERK, timeout=10)
        if response.json()["confirmed_at"] is None:
            return False
    return True


def confirmations_recorded(count: Any) -> dict[int, int]:
    return {int(order_id): int(n) for order_id, n in count}


def test_without_redis_the_next_start_confirms_what_a_killed_server_left(
    tmp_path: Path,
) -> None:
    with serve(tmp_path, "first", confirmation_delay=60) as server:
        ids = place_orders(server)
        server.kill()  # SIGKILL: three confirmations were waiting
    assert not confirmed_in_sqlite(tmp_path, ids)
    with serve(tmp_path, "second") as server:
        wait_for(lambda: confirmed(server, ids), "the resumed confirmations", timeout=20)
    assert confirmations_in_sqlite(tmp_path) == dict.fromkeys(ids, 1)


def confirmed_in_sqlite(workdir: Path, ids: list[int]) -> bool:
    with sqlite3.connect(workdir / "orders.sqlite3") as db:
        rows = db.execute("SELECT count(*) FROM orders WHERE confirmed_at IS NOT NULL").fetchone()
    return bool(rows[0] == len(ids))


def confirmations_in_sqlite(workdir: Path) -> dict[int, int]:
    with sqlite3.connect(workdir / "orders.sqlite3") as db:
        rows = db.execute(
            "SELECT order_id, count(*) FROM order_events WHERE type = 'order.confirmed'"
            " GROUP BY order_id"
        ).fetchall()
    return confirmations_recorded(rows)


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_with_redis_a_killed_consumers_confirmations_are_claimed_by_the_next_process(
    tmp_path: Path,
    redis_server: RedisServer,
    postgres_database: PostgresDatabase,
    engine: str,
) -> None:
    settings: dict[str, Any] = {"redis_url": redis_server.url}
    if engine == "postgres":
        settings["database"] = postgres_database.schema_url()
    client = redis.Redis.from_url(redis_server.url)
    try:
        with serve(tmp_path, "first", confirmation_delay=60, **settings) as server:
            ids = place_orders(server)
            wait_for(
                lambda: _pending(client) >= 1 and client.xlen("orders:events") == ORDERS,
                "the events in the stream and the consumer holding the first",
            )
            server.kill()  # SIGKILL: none acknowledged (the first held, the others unread)
        with serve(tmp_path, "second", **settings) as server:
            wait_for(lambda: confirmed(server, ids), "the claimed confirmations", timeout=20)
            wait_for(lambda: _pending(client) == 0, "the acknowledgements")
    finally:
        client.close()
    if engine == "postgres":
        with psycopg.connect(settings["database"]) as db:
            rows = db.execute(
                "SELECT order_id, count(*) FROM order_events WHERE type = 'order.confirmed'"
                " GROUP BY order_id"
            ).fetchall()
        assert confirmations_recorded(rows) == dict.fromkeys(ids, 1)
    else:
        assert confirmations_in_sqlite(tmp_path) == dict.fromkeys(ids, 1)


def _pending(client: redis.Redis) -> int:
    try:
        groups: list[dict[str, Any]] = client.xinfo_groups("orders:events")
    except redis.ResponseError:  # the stream does not exist yet
        return -1
    return int(groups[0]["pending"]) if groups else -1
