"""The orders example through its ASGI app in-process: every endpoint and every error shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from _servers import wait_for
from starlette.testclient import WebSocketDenialResponse

from examples.orders import create_app, load_settings
from examples.orders.settings import HERE
from lexigram.web import LexigramApp, WebSocketDisconnect, load_web_config
from lexigram.web.testing import TestClient

VIEWER = {"X-API-Key": "demo-viewer"}
CLERK = {"X-API-Key": "demo-clerk"}
WAREHOUSE = {"X-API-Key": "demo-warehouse"}
MANAGER = {"X-API-Key": "demo-manager"}
TEA = {"customer": "ACME", "lines": [{"sku": "TEA-SENCHA", "quantity": 2}]}


def make_app(**settings: Any) -> LexigramApp:
    """The example on an in-memory database, from its application.yaml, ignoring the
    environment; ``settings`` override the ``orders`` section."""
    options: dict[str, Any] = {"database": ":memory:", "default_rate_limit": "1000/minute"}
    options.update(settings)
    return create_app(load_settings(environ={}, **options), load_web_config(HERE, environ={}))


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as client:
        yield client


def assert_problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["title"], str) and body["title"]
    return body


def denial_of(error: WebSocketDisconnect) -> WebSocketDenialResponse:
    """The HTTP answer refusing a WebSocket handshake (the test client raises it)."""
    assert isinstance(error, WebSocketDenialResponse), f"closed instead of denied: {error!r}"
    return error


def place(client: TestClient, order: dict[str, Any] = TEA, who: dict[str, str] = CLERK) -> Any:
    response = client.post("/v2/orders", json=order, headers=who)
    assert response.status_code == 201, response.text
    return response.json()


# -- orders (v2) -----------------------------------------------------------------------------
def test_placing_an_order_prices_it_from_the_catalog(client: TestClient) -> None:
    response = client.post(
        "/v2/orders",
        json={"customer": "ACME", "lines": [{"sku": "TEA-SENCHA", "quantity": 2},
                                             {"sku": "MUG-WHITE", "quantity": 1}]},
        headers=CLERK,
    )  # fmt: skip
    assert response.status_code == 201
    order = response.json()
    assert response.headers["location"] == f"/v2/orders/{order['id']}"
    assert order["status"] == "placed"
    assert order["created_by"] == "carl"
    assert [(line["sku"], line["total_cents"]) for line in order["lines"]] == [
        ("TEA-SENCHA", 1800),
        ("MUG-WHITE", 1200),
    ]
    assert order["total_cents"] == 3000


def test_the_confirmation_is_sent_after_the_response(client: TestClient) -> None:
    order = place(client)
    assert order["confirmed_at"] is None

    def confirmed() -> bool:
        found = client.get(f"/v2/orders/{order['id']}", headers=VIEWER).json()
        return found["confirmed_at"] is not None

    wait_for(confirmed, "the background confirmation")


def test_an_order_is_read_back(client: TestClient) -> None:
    order = place(client)
    response = client.get(f"/v2/orders/{order['id']}", headers=VIEWER)
    assert response.status_code == 200
    assert response.json()["lines"] == order["lines"]


def test_an_unknown_order_is_a_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/v2/orders/999", headers=VIEWER), 404)
    assert body["detail"] == "Order '999' not found"
    assert body["code"] == "order_not_found"


def test_orders_are_listed_newest_first_in_pages(client: TestClient) -> None:
    ids = [place(client)["id"] for _ in range(3)]
    page = client.get("/v2/orders", params={"limit": 2, "offset": 1}, headers=VIEWER).json()
    assert [item["id"] for item in page["items"]] == [ids[1], ids[0]]
    assert (page["limit"], page["offset"], page["total"]) == (2, 1, 3)


def test_orders_are_filtered_by_status(client: TestClient) -> None:
    first, second = place(client), place(client)
    client.post(f"/v2/orders/{first['id']}/cancel", headers=CLERK)
    page = client.get("/v2/orders", params={"status": "placed"}, headers=VIEWER).json()
    assert [item["id"] for item in page["items"]] == [second["id"]]


def test_bad_query_parameters_are_a_422_problem_listing_each(client: TestClient) -> None:
    response = client.get("/v2/orders", params={"limit": 0, "status": "lost"}, headers=VIEWER)
    body = assert_problem(response, 422)
    assert sorted(tuple(error["loc"]) for error in body["errors"]) == [
        ("query", "limit"),
        ("query", "status"),
    ]


def test_an_invalid_body_is_a_422_problem(client: TestClient) -> None:
    response = client.post(
        "/v2/orders", json={"customer": "", "lines": [{"sku": "x", "quantity": 0}]}, headers=CLERK
    )
    body = assert_problem(response, 422)
    locs = {tuple(error["loc"]) for error in body["errors"]}
    assert locs == {
        ("body", "customer"),
        ("body", "lines", 0, "sku"),
        ("body", "lines", 0, "quantity"),
    }


def test_a_body_that_is_not_json_is_a_400_problem(client: TestClient) -> None:
    response = client.post(
        "/v2/orders",
        content=b"{not json",
        headers={**CLERK, "content-type": "application/json"},
    )
    assert_problem(response, 400)


def test_unknown_and_repeated_products_are_a_422_domain_problem(client: TestClient) -> None:
    lines = [
        {"sku": "NOPE", "quantity": 1},
        {"sku": "MUG-WHITE", "quantity": 1},
        {"sku": "MUG-WHITE", "quantity": 2},
    ]
    response = client.post("/v2/orders", json={"customer": "ACME", "lines": lines}, headers=CLERK)
    body = assert_problem(response, 422)
    assert body["detail"] == "The order cannot be placed"
    assert [(e["loc"], e["type"]) for e in body["errors"]] == [
        (["body", "lines", 0, "sku"], "unknown_sku"),
        (["body", "lines", 2, "sku"], "duplicate"),
    ]


def test_the_creator_cancels_a_placed_order(client: TestClient) -> None:
    order = place(client)
    response = client.post(f"/v2/orders/{order['id']}/cancel", headers=CLERK)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_someone_else_s_order_is_a_403_domain_problem(client: TestClient) -> None:
    order = place(client, who=MANAGER)
    body = assert_problem(client.post(f"/v2/orders/{order['id']}/cancel", headers=CLERK), 403)
    assert body["code"] == "not_your_order"
    assert body["detail"] == f"Only maya or a manager may cancel order {order['id']}"


def test_a_manager_cancels_anyone_s_order(client: TestClient) -> None:
    order = place(client)
    response = client.post(f"/v2/orders/{order['id']}/cancel", headers=MANAGER)
    assert response.json()["status"] == "cancelled"


def test_the_warehouse_ships_a_placed_order(client: TestClient) -> None:
    order = place(client)
    response = client.post(f"/v2/orders/{order['id']}/ship", headers=WAREHOUSE)
    assert response.status_code == 200
    assert response.json()["status"] == "shipped"


def test_a_final_status_cannot_change_409_problem(client: TestClient) -> None:
    order = place(client)
    client.post(f"/v2/orders/{order['id']}/ship", headers=WAREHOUSE)
    again = assert_problem(client.post(f"/v2/orders/{order['id']}/ship", headers=WAREHOUSE), 409)
    assert again["detail"] == f"Order {order['id']} is shipped and cannot become shipped"
    cancel = assert_problem(client.post(f"/v2/orders/{order['id']}/cancel", headers=MANAGER), 409)
    assert cancel["code"] == "status_conflict"


def test_changing_an_unknown_order_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.post("/v2/orders/77/ship", headers=WAREHOUSE), 404)
    assert_problem(client.post("/v2/orders/77/cancel", headers=CLERK), 404)


# -- authentication and roles ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Send an API key in the X-API-Key header"),
        ({"X-API-Key": "guess"}, "The API key is not valid"),
    ],
)
def test_a_missing_or_unknown_key_is_a_401_problem_with_a_challenge(
    client: TestClient, headers: dict[str, str], detail: str
) -> None:
    response = client.get("/v2/orders", headers=headers)
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'ApiKey header="X-API-Key"'
    assert body["detail"] == detail


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/v2/orders", VIEWER),
        ("POST", "/v2/orders/1/ship", CLERK),
        ("POST", "/v2/orders/1/cancel", WAREHOUSE),
        ("POST", "/v2/products", CLERK),
    ],
)
def test_a_missing_role_is_a_403_problem(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    place(client)
    body = {"sku": "X-1", "name": "x", "price_cents": 1} if "products" in path else TEA
    response = client.request(method, path, json=body, headers=headers)
    assert_problem(response, 403)


# -- version 1 ---------------------------------------------------------------------------------
def test_v1_answers_the_old_shape_with_deprecation_headers(client: TestClient) -> None:
    order = place(client)
    response = client.get(f"/v1/orders/{order['id']}", headers=VIEWER)
    assert response.json() == {
        "id": order["id"],
        "customer": "ACME",
        "status": "placed",
        "total": "18.00",
    }
    assert response.headers["deprecation"] == "@1780272000"  # 2026-06-01
    assert response.headers["sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert response.headers["link"] == '</docs>; rel="deprecation"'


def test_v1_lists_orders(client: TestClient) -> None:
    order = place(client)
    listed = client.get("/v1/orders", headers=VIEWER)
    assert [item["id"] for item in listed.json()] == [order["id"]]
    assert "sunset" in listed.headers


def test_v1_unknown_order_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/orders/5", headers=VIEWER), 404)


# -- reports and rate limits -------------------------------------------------------------------
def test_the_sales_report_counts_orders_and_revenue(client: TestClient) -> None:
    kept, cancelled = place(client), place(client)
    client.post(f"/v2/orders/{cancelled['id']}/cancel", headers=CLERK)
    report = client.get("/v2/reports/sales", headers=VIEWER).json()
    assert report["orders_by_status"] == {"cancelled": 1, "placed": 1}
    assert report["revenue_cents"] == kept["total_cents"]
    assert report["units_by_sku"] == {"TEA-SENCHA": 2}


def test_the_sales_report_is_throttled_to_5_a_minute(client: TestClient) -> None:
    statuses = [client.get("/v2/reports/sales", headers=VIEWER).status_code for _ in range(5)]
    assert statuses == [200] * 5
    denied = client.get("/v2/reports/sales", headers=VIEWER)
    assert_problem(denied, 429)
    assert int(denied.headers["retry-after"]) > 0
    assert denied.headers["ratelimit-policy"] == '"default";q=5;w=60'


def test_the_default_limit_applies_to_every_other_route_but_health() -> None:
    with TestClient(make_app(default_rate_limit="3/minute")) as client:
        statuses = [client.get("/v2/products", headers=VIEWER).status_code for _ in range(4)]
        health = [client.get("/health/live").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429]
    assert health == [200] * 5


# -- catalog (GenericController) ---------------------------------------------------------------
def test_the_catalog_is_listed_from_application_yaml(client: TestClient) -> None:
    page = client.get("/v2/products", params={"limit": 2}, headers=VIEWER).json()
    assert [item["sku"] for item in page["items"]] == ["KETTLE-1L", "MUG-WHITE"]
    assert page["total"] == 4


def test_a_product_is_created_read_updated_and_deleted(client: TestClient) -> None:
    product = {"sku": "CUP-BLUE", "name": "Blue cup", "price_cents": 800}
    created = client.post("/v2/products", json=product, headers=MANAGER)
    assert created.status_code == 201
    assert created.headers["location"] == "/v2/products/CUP-BLUE"
    assert client.get("/v2/products/CUP-BLUE", headers=VIEWER).json() == product
    changed = {**product, "price_cents": 750}
    assert client.put("/v2/products/CUP-BLUE", json=changed, headers=MANAGER).json() == changed
    assert client.delete("/v2/products/CUP-BLUE", headers=MANAGER).status_code == 204
    assert_problem(client.get("/v2/products/CUP-BLUE", headers=VIEWER), 404)


def test_catalog_errors_are_problems(client: TestClient) -> None:
    taken = {"sku": "MUG-WHITE", "name": "Mug", "price_cents": 1}
    assert_problem(client.post("/v2/products", json=taken, headers=MANAGER), 409)
    renamed = assert_problem(client.put("/v2/products/KETTLE-1L", json=taken, headers=MANAGER), 422)
    assert renamed["errors"][0]["loc"] == ["body", "sku"]
    missing = {"sku": "NONE", "name": "n", "price_cents": 1}
    assert_problem(client.put("/v2/products/NONE", json=missing, headers=MANAGER), 404)
    assert_problem(client.delete("/v2/products/NONE", headers=MANAGER), 404)


def test_an_order_keeps_the_price_it_was_placed_at(client: TestClient) -> None:
    order = place(client)
    new_price = {"sku": "TEA-SENCHA", "name": "Sencha", "price_cents": 1}
    client.put("/v2/products/TEA-SENCHA", json=new_price, headers=MANAGER)
    read = client.get(f"/v2/orders/{order['id']}", headers=VIEWER).json()
    assert read["total_cents"] == order["total_cents"] == 1800


# -- framework answers -------------------------------------------------------------------------
def test_an_unknown_path_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/v3/orders", headers=VIEWER), 404)


def test_a_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.delete("/v2/orders", headers=MANAGER)
    assert_problem(response, 405)
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_answers_carry_server_timing_and_request_ids(client: TestClient) -> None:
    for response in (
        client.get("/v2/orders", headers=VIEWER),
        client.get("/v2/orders/404", headers=VIEWER),
    ):
        assert response.headers["server-timing"].startswith("app;dur=")
        assert len(response.headers["x-request-id"]) == 32
        assert response.headers["x-content-type-options"] == "nosniff"


def test_health_endpoints_report_the_database(client: TestClient) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["checks"]["database"] == {"status": "healthy"}
    assert client.get("/health/live").json() == {"status": "alive"}
    assert client.get("/health/ready").status_code == 200


def test_the_openapi_document_describes_the_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Orders API"
    assert document["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
    place_order = document["paths"]["/v2/orders"]["post"]
    assert place_order["security"] == [{"ApiKey": []}]
    assert set(place_order["responses"]) >= {"201", "401", "403", "422", "429"}
    assert document["paths"]["/v1/orders/{order_id}"]["get"]["deprecated"] is True


def test_the_docs_ui_is_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


# -- live updates over the WebSocket -----------------------------------------------------------
def test_the_websocket_sends_each_change_of_an_order(client: TestClient) -> None:
    with client.websocket_connect("/v2/orders/live", headers=VIEWER) as socket:
        order = place(client)
        events = [socket.receive_json() for _ in range(2)]
    assert [(e["type"], e["order_id"]) for e in events] == [
        ("order.created", order["id"]),
        ("order.confirmed", order["id"]),
    ]
    assert events[0]["id"] < events[1]["id"]


def test_the_websocket_resumes_after_an_event_id(client: TestClient) -> None:
    order = place(client)
    with client.websocket_connect("/v2/orders/live?after=0", headers=VIEWER) as socket:
        first = socket.receive_json()
    assert (first["type"], first["order_id"], first["id"]) == ("order.created", order["id"], 1)


def test_the_websocket_closes_normally_when_its_time_is_up() -> None:
    with (
        TestClient(make_app(live_max_seconds=0.2)) as client,
        client.websocket_connect("/v2/orders/live", headers=VIEWER) as socket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        socket.receive_json()
    assert closed.value.code == 1000


def test_the_websocket_handshake_without_a_key_is_a_401_problem(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/v2/orders/live"),
    ):
        pass
    denial = denial_of(refused.value)
    assert_problem(denial, 401)
    assert denial.headers["www-authenticate"] == 'ApiKey header="X-API-Key"'


def test_the_websocket_handshake_needs_the_read_role() -> None:
    app = create_app(
        load_settings(
            environ={},
            database=":memory:",
            api_keys={"no-roles": {"user": "nobody", "roles": []}},
        ),
        load_web_config(HERE, environ={}),
    )
    with (
        TestClient(app) as client,
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/v2/orders/live", headers={"X-API-Key": "no-roles"}),
    ):
        pass
    assert_problem(denial_of(refused.value), 403)


# -- configuration and persistence -------------------------------------------------------------
def test_the_database_file_is_created_and_survives_a_restart(tmp_path: Path) -> None:
    database = tmp_path / "data" / "orders.sqlite3"
    with TestClient(make_app(database=str(database))) as client:
        order = place(client)
    assert database.is_file()
    with TestClient(make_app(database=str(database))) as client:
        again = client.get(f"/v2/orders/{order['id']}", headers=VIEWER).json()
    assert again["customer"] == "ACME"


def test_settings_come_from_yaml_then_the_environment(tmp_path: Path) -> None:
    environ = {
        "LEXIGRAM_ORDERS__DEFAULT_RATE_LIMIT": "7/minute",
        "LEXIGRAM_ORDERS__API_KEYS": '{"k": {"user": "u", "roles": ["orders:read"]}}',
        "LEXIGRAM_REDIS_URL": "redis://127.0.0.1:1/0",
    }
    settings = load_settings(environ=environ)
    assert settings.default_rate_limit == "7/minute"
    assert settings.redis_url == "redis://127.0.0.1:1/0"
    assert list(settings.api_keys) == ["k"]
    assert settings.database == str(HERE / "var" / "orders.sqlite3")
    assert len(settings.catalog) == 4


def test_a_bad_rate_in_the_settings_fails_at_load() -> None:
    with pytest.raises(ValueError, match="default_rate_limit"):
        load_settings(environ={"LEXIGRAM_ORDERS__DEFAULT_RATE_LIMIT": "lots"})


# -- live updates over Server-Sent Events ------------------------------------------------------
def parse_events(stream: str) -> list[dict[str, str]]:
    events = []
    for block in stream.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append(fields)
    return events


def test_server_sent_events_replay_the_changes_after_last_event_id() -> None:
    with TestClient(make_app(live_max_seconds=0.3)) as client:
        order = place(client)
        wait_for(lambda: client.get(f"/v2/orders/{order['id']}", headers=VIEWER).json()[
            "confirmed_at"] is not None, "the confirmation")  # fmt: skip
        response = client.get("/v2/orders/events", headers={**VIEWER, "Last-Event-ID": "0"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith(": changes after 0\nretry: 2000\n\n")
    events = parse_events(response.text)
    assert [(e["id"], e["event"]) for e in events] == [
        ("1", "order.created"),
        ("2", "order.confirmed"),
    ]
    data = json.loads(events[0]["data"])
    assert (data["order_id"], data["status"], data["type"]) == (
        order["id"],
        "placed",
        "order.created",
    )


def test_server_sent_events_need_a_key(client: TestClient) -> None:
    assert_problem(client.get("/v2/orders/events"), 401)


# -- observability ---------------------------------------------------------------------------
def test_the_example_is_traced_measured_and_access_logged(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    placed = client.post("/v2/orders", json=TEA, headers=CLERK)
    trace_id = placed.headers["traceparent"].split("-")[1]
    missing = client.get("/v2/orders/424242", headers=VIEWER)
    assert assert_problem(missing, 404)["trace_id"] == missing.headers["traceparent"].split("-")[1]
    scrape = client.get("/metrics")
    assert scrape.status_code == 200
    counted = {
        (s.labels["method"], s.labels["route"], s.labels["status_class"]): s.value
        for family in text_string_to_metric_families(scrape.text)
        for s in family.samples
        if s.name == "http_requests_total"
    }
    assert counted[("POST", "/v2/orders", "2xx")] == 1
    assert counted[("GET", "/v2/orders/{order_id}", "4xx")] == 1
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if '"time"' in line]
    access = [line for line in lines if line["logger"] == "lexigram.web.access"]
    assert [(a["method"], a["route"], a["status"]) for a in access[:2]] == [
        ("POST", "/v2/orders", 201),
        ("GET", "/v2/orders/{order_id}", 404),
    ]
    assert access[0]["trace_id"] == trace_id
    assert not any("demo-clerk" in json.dumps(line) for line in lines)
