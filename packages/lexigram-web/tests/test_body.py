"""Request bodies: JSON into models and dataclasses, embedded keys, forms, files, bad input."""

import dataclasses
import importlib.util
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from _asgi import send_request
from pydantic import BaseModel

from lexigram.web import ConfigurationError, LexigramApp, Request, WebConfig, body, form
from lexigram.web.testing import AsyncTestClient


class Item(BaseModel):
    name: str
    price: float


@dataclasses.dataclass
class Point:
    x: int
    y: int


async def test_pydantic_model_is_read_from_the_json_body() -> None:
    app = LexigramApp()

    @app.post("/items", status_code=201)
    async def create(item: Item) -> Item:
        return item

    async with AsyncTestClient(app) as client:
        response = await client.post("/items", json={"name": "pen", "price": 2})
    assert response.status_code == 201
    assert response.json() == {"name": "pen", "price": 2.0}


async def test_dataclass_is_read_from_the_json_body() -> None:
    app = LexigramApp()

    @app.post("/points")
    async def create(point: Point) -> Point:
        return point

    async with AsyncTestClient(app) as client:
        response = await client.post("/points", json={"x": 1, "y": 2})
    assert response.json() == {"x": 1, "y": 2}


async def test_a_lenient_app_coerces_a_numeric_string_in_the_json_body() -> None:
    app = LexigramApp(strict_body=False)

    @app.post("/points")
    async def create(point: Point) -> Point:
        return point

    async with AsyncTestClient(app) as client:
        response = await client.post("/points", json={"x": 1, "y": "2"})
    assert response.json() == {"x": 1, "y": 2}


def items_app() -> LexigramApp:
    app = LexigramApp()

    @app.post("/items")
    async def create(item: Item) -> str:
        return item.name

    return app


async def post_item(**request: Any) -> httpx.Response:
    async with AsyncTestClient(items_app()) as client:
        return await client.post("/items", **request)


async def test_body_errors_are_located_under_body() -> None:
    response = await post_item(json={"price": "free"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "name"], ["body", "price"]]


async def test_body_and_query_errors_are_reported_together() -> None:
    app = LexigramApp()

    @app.post("/items")
    async def create(item: Item, dry_run: bool) -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.post("/items?dry_run=maybe", json={"name": "x"})
    locs = [e["loc"] for e in response.json()["errors"]]
    assert locs == [["query", "dry_run"], ["body", "price"]]


async def test_missing_required_body_is_a_422() -> None:
    response = await post_item()
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body"], "msg": "Field required", "type": "missing"}
    ]


async def test_malformed_json_is_a_400() -> None:
    response = await post_item(content=b'{"name": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text


async def test_wrong_content_type_for_a_body_is_a_415() -> None:
    response = await post_item(content=b"name=x", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["status"] == 415


async def test_json_suffix_media_types_are_accepted() -> None:
    response = await post_item(
        content=b'{"name": "a", "price": 1}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert response.json() == "a"


async def test_several_body_parameters_read_keys_of_one_object() -> None:
    app = LexigramApp()

    @app.post("/orders")
    async def order(item: Item, quantity: int = body()) -> dict[str, Any]:
        return {"name": item.name, "quantity": quantity}

    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/orders", json={"item": {"name": "pen", "price": 1}, "quantity": 3}
        )
    assert response.json() == {"name": "pen", "quantity": 3}


async def test_embedded_body_key_missing_is_located() -> None:
    app = LexigramApp()

    @app.post("/orders")
    async def order(quantity: int = body(embed=True)) -> int:
        return quantity

    async with AsyncTestClient(app) as client:
        response = await client.post("/orders", json={})
    assert response.json()["errors"][0]["loc"] == ["body", "quantity"]


async def test_optional_body_defaults_when_empty() -> None:
    app = LexigramApp()

    @app.post("/maybe")
    async def maybe(item: Item | None = None) -> str:
        return "none" if item is None else item.name

    async with AsyncTestClient(app) as client:
        response = await client.post("/maybe")
    assert response.json() == "none"


async def test_declared_oversized_body_is_a_413_before_reading() -> None:
    app = LexigramApp(max_body_size=10)
    received: list[int] = []

    @app.post("/upload")
    async def upload(item: Item) -> None:
        return None

    async def receive() -> dict[str, Any]:
        received.append(1)
        return {"type": "http.request", "body": b"x" * 100, "more_body": False}

    headers = [(b"content-type", b"application/json"), (b"content-length", b"100")]
    sent = await send_request(app, "/upload", receive, headers)
    assert sent[0]["status"] == 413
    assert received == []


async def test_streamed_body_over_the_limit_stops_reading_with_413() -> None:
    app = LexigramApp(max_body_size=1000)
    chunks_read = 0

    @app.post("/upload")
    async def upload(item: Item) -> None:
        return None

    async def receive() -> dict[str, Any]:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * 400, "more_body": True}

    sent = await send_request(app, "/upload", receive, [(b"content-type", b"application/json")])
    assert sent[0]["status"] == 413
    assert chunks_read == 3


async def test_max_body_size_none_keyword_removes_the_configured_limit() -> None:
    app = LexigramApp(config=WebConfig(max_body_size=10), max_body_size=None)

    @app.post("/upload")
    async def upload(item: Item) -> str:
        return item.name

    async with AsyncTestClient(app) as client:
        response = await client.post("/upload", json={"name": "x" * 100, "price": 1})
    assert (app.settings.max_body_size, response.status_code) == (None, 200)


async def test_request_body_method_enforces_the_limit_too() -> None:
    app = LexigramApp(max_body_size=5)

    @app.post("/raw")
    async def raw(request: Request) -> int:
        return len(await request.body())

    async def chunks() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"defgh"

    async with AsyncTestClient(app) as client:
        small = await client.post("/raw", content=b"abc")
        large = await client.post("/raw", content=chunks())
    assert small.json() == 3
    assert large.status_code == 413


async def test_dict_and_list_of_models_are_read_from_the_body() -> None:
    app = LexigramApp()

    @app.post("/raw")
    async def raw(data: dict[str, int]) -> int:
        return sum(data.values())

    @app.post("/many")
    async def many(items: list[Item]) -> int:
        return len(items)

    async with AsyncTestClient(app) as client:
        total = await client.post("/raw", json={"a": 1, "b": 2})
        count = await client.post("/many", json=[{"name": "a", "price": 1}] * 2)
    assert (total.json(), count.json()) == (3, 2)


async def test_form_parameter_without_python_multipart_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    app = LexigramApp()

    @app.post("/login")
    async def login(username: str = form()) -> str:
        return username

    with pytest.raises(ConfigurationError, match=r"lexigram-web\[multipart\]"):
        await app.startup()


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "text/json+json"],
)
async def test_a_model_body_is_read_under_every_json_content_type(content_type: str) -> None:
    app = LexigramApp()

    @app.post("/echo")
    async def echo(payload: _Echo) -> _Echo:
        return payload

    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/echo", content=b'{"name": "n", "size": 2}', headers={"content-type": content_type}
        )
    assert (response.status_code, response.json()) == (200, {"name": "n", "size": 2})


async def test_an_optional_model_body_is_validated_and_may_be_absent() -> None:
    app = LexigramApp()

    @app.post("/maybe")
    async def maybe(payload: _Echo | None = None) -> dict[str, Any]:
        return {"payload": payload.model_dump() if payload is not None else None}

    async with AsyncTestClient(app) as client:
        given = await client.post("/maybe", json={"name": "n", "size": 2})
        absent = await client.post("/maybe")
        wrong = await client.post("/maybe", json={"name": "n", "size": "big"})
    assert given.json() == {"payload": {"name": "n", "size": 2}}
    assert absent.json() == {"payload": None}
    assert wrong.status_code == 422


class _Echo(BaseModel):
    name: str
    size: int
