"""The return annotation (or ``response_model=``) filters and validates every answer."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Generic, TypeVar

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from lexigram.web import ConfigurationError, LexigramApp, RedirectResponse, Response
from lexigram.web.testing import AsyncTestClient


class PublicUser(BaseModel):
    id: int
    name: str


class StoredUser(PublicUser):
    password_hash: str


class Item(BaseModel):
    name: str
    price_cents: int


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Totals(TypedDict):
    count: int


T = TypeVar("T")


class Ok(Generic[T]):
    def __init__(self, value: T) -> None:
        self.value = value

    def is_ok(self) -> bool:
        return True

    def unwrap(self) -> Any:
        return self.value

    def unwrap_err(self) -> Any:
        raise ValueError("ok has no error")


class Err(Generic[T]):
    def is_ok(self) -> bool:
        return False

    def unwrap(self) -> Any:
        raise ValueError("err has no value")

    def unwrap_err(self) -> Any:
        return ValueError("bad")


async def _get(app: LexigramApp, url: str) -> Any:
    async with AsyncTestClient(app) as client:
        return await client.get(url)


async def test_the_annotation_filters_a_subclass_to_the_declared_fields() -> None:
    app = LexigramApp()

    @app.get("/me")
    async def me() -> PublicUser:
        return StoredUser(id=1, name="ada", password_hash="secret-hash")

    response = await _get(app, "/me")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "name": "ada"}


async def test_a_list_annotation_filters_every_element() -> None:
    app = LexigramApp()

    @app.get("/users")
    async def users() -> list[PublicUser]:
        return [StoredUser(id=1, name="ada", password_hash="h1"), PublicUser(id=2, name="bo")]

    assert (await _get(app, "/users")).json() == [{"id": 1, "name": "ada"}, {"id": 2, "name": "bo"}]


async def test_an_answer_missing_a_required_field_is_a_500_naming_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = LexigramApp()

    @app.get("/items/{item_id:int}")
    async def item(item_id: int) -> Item:
        return {"name": "pen"}  # type: ignore[return-value]

    with caplog.at_level(logging.ERROR, logger="lexigram.web"):
        response = await _get(app, "/items/1")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert "price_cents" not in response.text
    assert body["status"] == 500
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    logged = record.getMessage()
    assert "GET /items/{item_id:int}" in logged
    assert "'price_cents': Field required" in logged


async def test_in_debug_mode_the_mismatch_is_described_in_the_problem() -> None:
    app = LexigramApp(debug=True)

    @app.get("/item")
    async def item() -> Item:
        return {"name": "pen", "price_cents": "lots"}  # type: ignore[return-value]

    response = await _get(app, "/item")
    assert response.status_code == 500
    assert "price_cents" in response.text


async def test_a_dict_matching_the_annotation_is_validated_and_sent() -> None:
    app = LexigramApp()

    @app.get("/item")
    async def item() -> Item:
        return {"name": "pen", "price_cents": 120, "cost_cents": 40}  # type: ignore[return-value]

    assert (await _get(app, "/item")).json() == {"name": "pen", "price_cents": 120}


async def test_an_object_with_attributes_is_read_into_the_model() -> None:
    class Row:
        name = "pen"
        price_cents = 120
        supplier = "internal"

    app = LexigramApp()

    @app.get("/item")
    async def item() -> Item:
        return Row()  # type: ignore[return-value]

    assert (await _get(app, "/item")).json() == {"name": "pen", "price_cents": 120}


async def test_response_model_wins_over_the_annotation() -> None:
    app = LexigramApp()

    @app.get("/me", response_model=PublicUser)
    async def me() -> dict[str, Any]:
        return {"id": 1, "name": "ada", "password_hash": "h"}

    assert (await _get(app, "/me")).json() == {"id": 1, "name": "ada"}


async def test_response_model_none_sends_the_value_unchecked() -> None:
    app = LexigramApp()

    @app.get("/me", response_model=None)
    async def me() -> PublicUser:
        return StoredUser(id=1, name="ada", password_hash="h")

    assert (await _get(app, "/me")).json() == {"id": 1, "name": "ada", "password_hash": "h"}


async def test_dataclass_and_typeddict_annotations_are_checked() -> None:
    app = LexigramApp()

    @app.get("/point")
    async def point() -> Point:
        return {"x": 1, "y": 2}  # type: ignore[return-value]

    @app.get("/totals")
    async def totals() -> Totals:
        return {"count": "many"}  # type: ignore[typeddict-item]

    async with AsyncTestClient(app) as client:
        good = await client.get("/point")
        bad = await client.get("/totals")
    assert good.json() == {"x": 1, "y": 2}
    assert bad.status_code == 500


async def test_a_result_annotation_checks_its_ok_payload() -> None:
    app = LexigramApp()

    @app.get("/ok")
    async def ok() -> Ok[PublicUser] | Err[ValueError]:
        return Ok(StoredUser(id=1, name="ada", password_hash="h"))

    assert (await _get(app, "/ok")).json() == {"id": 1, "name": "ada"}


async def test_annotations_that_are_not_models_keep_working() -> None:
    app = LexigramApp()

    @app.get("/dict")
    async def as_dict() -> dict[str, Any]:
        return {"anything": [1, "two"]}

    @app.get("/none")
    async def nothing() -> None:
        return None

    @app.get("/response")
    async def raw() -> Response:
        return Response("plain", media_type="text/plain")

    @app.get("/either")
    async def either() -> Item | RedirectResponse:
        return RedirectResponse("/dict")

    @app.get("/maybe")
    async def maybe() -> Item | None:
        return None

    async with AsyncTestClient(app) as client:
        as_dict_r = await client.get("/dict")
        none_r = await client.get("/none")
        raw_r = await client.get("/response")
        either_r = await client.get("/either", follow_redirects=False)
        maybe_r = await client.get("/maybe")
    assert as_dict_r.json() == {"anything": [1, "two"]}
    assert none_r.status_code == maybe_r.status_code == 204
    assert raw_r.text == "plain"
    assert either_r.status_code == 307


async def test_none_from_a_handler_declaring_a_model_is_a_500() -> None:
    app = LexigramApp()

    @app.get("/item")
    async def item() -> Item:
        return None  # type: ignore[return-value]

    assert (await _get(app, "/item")).status_code == 500


async def test_an_exception_filter_answer_is_not_checked_against_the_route_model() -> None:
    app = LexigramApp()

    async def conflict(request: Any, exc: Exception) -> dict[str, str]:
        return {"error": "taken"}

    @app.get("/item", exception_handlers={KeyError: conflict})
    async def item() -> Item:
        raise KeyError("pen")

    response = await _get(app, "/item")
    assert response.json() == {"error": "taken"}


async def test_a_model_pydantic_cannot_validate_fails_at_startup() -> None:
    class Opaque:
        pass

    app = LexigramApp()

    @app.get("/x", response_model=Opaque)
    async def x() -> Any:
        return Opaque()

    with pytest.raises(ConfigurationError, match="response_model=None"):
        await app.startup()
