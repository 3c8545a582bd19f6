"""JSON bodies are validated strictly by default (the OpenAPI types are the contract), with a
per-app and per-route switch; a JSON object that repeats a key is a 400 naming the key."""

from typing import Any

import pytest
from pydantic import BaseModel

from lexigram.web import LexigramApp, WebConfig, body, post
from lexigram.web.testing import AsyncTestClient


class Product(BaseModel):
    name: str
    price_cents: int


class Order(BaseModel):
    customer: str
    placed_at: str = ""
    lines: list[dict[str, Any]] = []


def _app(**options: Any) -> LexigramApp:
    app = LexigramApp(**options)

    @app.post("/products", status_code=201)
    async def create(product: Product) -> Product:
        return product

    @app.post("/lenient", strict_body=False)
    async def lenient(product: Product) -> Product:
        return product

    @app.post("/strict", strict_body=True)
    async def strict(product: Product) -> Product:
        return product

    @app.post("/orders")
    async def order(order: Order) -> Order:
        return order

    @app.post("/raw")
    async def raw(data: dict[str, Any]) -> dict[str, Any]:
        return data

    @app.post("/embedded")
    async def embedded(count: int = body(embed=True), name: str = body(embed=True)) -> int:
        return count

    return app


@pytest.mark.parametrize("price", [True, False, "2", 2.0])
async def test_an_int_body_field_refuses_booleans_strings_and_floats(price: Any) -> None:
    async with AsyncTestClient(_app()) as client:
        response = await client.post("/products", json={"name": "pen", "price_cents": price})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "price_cents"]


async def test_an_embedded_int_body_field_refuses_a_boolean() -> None:
    async with AsyncTestClient(_app()) as client:
        refused = await client.post("/embedded", json={"count": True, "name": "x"})
        accepted = await client.post("/embedded", json={"count": 3, "name": "x"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "count"]
    assert (accepted.status_code, accepted.json()) == (200, 3)


async def test_a_route_can_opt_out_of_strict_bodies_and_another_opt_in() -> None:
    async with AsyncTestClient(_app(strict_body=False)) as client:
        default = await client.post("/products", json={"name": "pen", "price_cents": "2"})
        lenient = await client.post("/lenient", json={"name": "pen", "price_cents": "2"})
        strict = await client.post("/strict", json={"name": "pen", "price_cents": "2"})
    assert (default.status_code, default.json()["price_cents"]) == (201, 2)
    assert (lenient.status_code, lenient.json()["price_cents"]) == (200, 2)
    assert strict.status_code == 422


async def test_the_config_setting_makes_an_app_lenient() -> None:
    async with AsyncTestClient(_app(config=WebConfig(strict_body=False))) as client:
        response = await client.post("/products", json={"name": "pen", "price_cents": "2"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/orders", b'{"customer":"A","customer":"B"}'),
        ("/orders", b'{"customer": "A", "placed_at": "10:00:00", "customer" : "B"}'),
        ("/raw", b'{"x": {"customer": 1, "customer": 2}}'),
        ("/orders", b'{"customer":"A","lines":[{"sku":"a","customer":1,"customer":2}]}'),
        ("/embedded", b'{"count": 1, "name": "a", "customer": 1, "customer": 2}'),
    ],
)
async def test_a_repeated_json_key_is_a_400_naming_the_key(path: str, payload: bytes) -> None:
    async with AsyncTestClient(_app()) as client:
        response = await client.post(
            path, content=payload, headers={"content-type": "application/json"}
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "the JSON body repeats the key 'customer'; send each key once"
    )


async def test_colons_inside_strings_are_not_mistaken_for_repeated_keys() -> None:
    payload = b'{"customer": "http://a:b@c", "placed_at": "2026-01-01T10:00:00Z"}'
    async with AsyncTestClient(_app()) as client:
        response = await client.post(
            "/orders", content=payload, headers={"content-type": "application/json"}
        )
    assert response.status_code == 200
    assert response.json()["placed_at"] == "2026-01-01T10:00:00Z"


def test_the_route_decorator_records_the_strict_body_switch() -> None:
    @post("/x", strict_body=False)
    async def handler() -> None:
        return None

    from lexigram.web._declare.decorators import route_configs

    assert [c.strict_body for c in route_configs(handler)] == [False]
