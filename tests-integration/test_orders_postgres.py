"""Every in-process test of the orders example that uses its ``client``, again on PostgreSQL
(each test in a schema of its own, in a database of the run's own dropped at the end)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
import test_orders_api
from _postgres import PostgresDatabase
from _servers import wait_for

from examples.orders.database import Database
from lexigram.web.testing import TestClient

globals().update(
    {
        name: test
        for name, test in vars(test_orders_api).items()
        if name.startswith("test_") and "client" in inspect.signature(test).parameters
    }
)


@pytest.fixture
def client(postgres_database: PostgresDatabase) -> Iterator[TestClient]:
    app = test_orders_api.make_app(database=postgres_database.schema_url())
    with TestClient(app) as client:
        yield client


def test_the_example_runs_on_postgresql(client: TestClient) -> None:
    health = client.get("/health/ready")
    assert health.status_code == 200, health.text
    assert health.json()["checks"]["database"]["status"] == "healthy"


def test_requests_get_a_503_problem_while_postgresql_refuses_connections() -> None:
    database = PostgresDatabase()
    database.create()
    try:
        app = test_orders_api.make_app(database=database.url, database_timeout=1.0)
        with TestClient(app) as client:
            assert client.get("/v2/orders", headers=test_orders_api.VIEWER).status_code == 200
            database.refuse_connections()
            try:
                answer = client.get("/v2/orders", headers=test_orders_api.VIEWER)
                test_orders_api.assert_problem(answer, 503)
                assert "PostgreSQL" not in answer.text  # no internals in a 5xx body
                ready = client.get("/health/ready")
                assert ready.json()["checks"]["database"]["status"] == "unhealthy"
            finally:
                database.accept_connections()
            wait_for(
                lambda: client.get("/v2/orders", headers=test_orders_api.VIEWER).status_code == 200,
                "the pool to reconnect",
                timeout=20,
            )
    finally:
        database.drop()


def test_readiness_fails_while_postgresql_refuses_writes() -> None:
    database = PostgresDatabase()
    database.create()
    try:
        app = test_orders_api.make_app(database=database.url, database_timeout=2.0)
        with TestClient(app) as client:
            assert client.get("/health/ready").status_code == 200
            orders_database = app.container.resolve(Database)
            portal = client.portal
            assert portal is not None
            database.refuse_writes()
            wait_for(
                lambda: "read-only" in (portal.call(orders_database.write_problem) or ""),
                "the pool's new connections to be read-only",
                timeout=20,
            )
            ready = client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"] == {"status": "unhealthy"}
    finally:
        database.drop()
