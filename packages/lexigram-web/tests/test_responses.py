"""Return-value mapping and the response classes, through the ASGI app."""

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from lexigram.http_errors.domain import NotFoundError as DomainNotFound
from lexigram.web import (
    HTMLContent,
    HTMXResponse,
    JSONResponse,
    LexigramApp,
    PlainTextResponse,
    RedirectResponse,
    Response,
    ResultResponseMapper,
    TimingInterceptor,
    file_response,
    html_response,
    json_response,
    redirect_response,
    streaming_response,
    text_response,
)
from lexigram.web.testing import AsyncTestClient


class User(BaseModel):
    id: int
    name: str


class PublicUser(BaseModel):
    id: int


@dataclasses.dataclass
class Pair:
    left: int
    right: int


class Ok:
    def __init__(self, value: Any) -> None:
        self.value = value

    def is_ok(self) -> bool:
        return True

    def unwrap(self) -> Any:
        return self.value

    def unwrap_err(self) -> Any:
        raise ValueError("ok has no error")


class Err:
    def __init__(self, error: Any) -> None:
        self.error = error

    def is_ok(self) -> bool:
        return False

    def unwrap(self) -> Any:
        raise ValueError("err has no value")

    def unwrap_err(self) -> Any:
        return self.error


async def _get(app: LexigramApp, path: str) -> Any:
    async with AsyncTestClient(app) as client:
        return await client.get(path)


async def test_dict_becomes_json() -> None:
    app = LexigramApp()

    @app.get("/d")
    async def d() -> dict[str, int]:
        return {"a": 1}

    response = await _get(app, "/d")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.json() == {"a": 1}


async def test_none_becomes_204_without_body() -> None:
    app = LexigramApp()

    @app.delete("/x")
    async def remove() -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.delete("/x")
    assert response.status_code == 204
    assert response.content == b""


async def test_none_keeps_an_explicit_status() -> None:
    app = LexigramApp()

    @app.post("/later", status_code=202)
    async def later() -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.post("/later")
    assert response.status_code == 202


async def test_pydantic_model_is_serialized_by_pydantic() -> None:
    app = LexigramApp()

    @app.get("/u")
    async def user() -> User:
        return User(id=1, name="ann")

    assert (await _get(app, "/u")).json() == {"id": 1, "name": "ann"}


async def test_nested_models_in_a_dict_are_serialized() -> None:
    app = LexigramApp()

    @app.get("/u")
    async def users() -> dict[str, list[User]]:
        return {"users": [User(id=1, name="ann")]}

    assert (await _get(app, "/u")).json() == {"users": [{"id": 1, "name": "ann"}]}


async def test_dataclass_and_list_become_json() -> None:
    app = LexigramApp()

    @app.get("/p")
    async def pairs() -> list[Pair]:
        return [Pair(1, 2)]

    assert (await _get(app, "/p")).json() == [{"left": 1, "right": 2}]


async def test_response_model_filters_the_output() -> None:
    app = LexigramApp()

    @app.get("/u", response_model=PublicUser)
    async def user() -> User:
        return User(id=1, name="secret")

    assert (await _get(app, "/u")).json() == {"id": 1}


async def test_response_is_sent_as_is_with_its_headers() -> None:
    app = LexigramApp()

    @app.get("/t")
    async def text() -> Response:
        return PlainTextResponse("hi", status_code=201, headers={"X-A": "1"})

    response = await _get(app, "/t")
    assert (response.status_code, response.text, response.headers["x-a"]) == (201, "hi", "1")


async def test_json_response_uses_orjson_types() -> None:
    app = LexigramApp()

    @app.get("/j")
    async def j() -> JSONResponse:
        return JSONResponse({"user": User(id=2, name="b")}, status_code=202)

    response = await _get(app, "/j")
    assert response.status_code == 202
    assert response.json() == {"user": {"id": 2, "name": "b"}}


async def test_html_content_becomes_html() -> None:
    app = LexigramApp()

    @app.get("/h")
    async def page() -> HTMLContent:
        return HTMLContent("<p>hi</p>")

    response = await _get(app, "/h")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<p>hi</p>"


async def test_htmx_response_sets_hx_headers() -> None:
    app = LexigramApp()

    @app.get("/x")
    async def x() -> HTMXResponse:
        return HTMXResponse("<div>ok</div>", hx_trigger={"showToast": "Saved"}, hx_refresh=True)

    response = await _get(app, "/x")
    assert response.headers["hx-trigger"] == '{"showToast":"Saved"}'
    assert response.headers["hx-refresh"] == "true"


async def test_redirect_with_crlf_in_target_is_a_400() -> None:
    app = LexigramApp()

    @app.get("/go")
    async def go(next: str) -> RedirectResponse:
        return RedirectResponse(next)

    async with AsyncTestClient(app) as client:
        ok = await client.get("/go?next=/home")
        bad = await client.get("/go?next=/home%0d%0aSet-Cookie:%20a=b")
    assert ok.status_code == 307
    assert ok.headers["location"] == "/home"
    assert bad.status_code == 400
    assert "set-cookie" not in bad.headers


async def test_ok_result_uses_the_route_status() -> None:
    app = LexigramApp()

    @app.post("/r", status_code=201)
    async def r() -> Ok:
        return Ok({"id": 1})

    async with AsyncTestClient(app) as client:
        response = await client.post("/r")
    assert (response.status_code, response.json()) == (201, {"id": 1})


async def test_err_result_maps_domain_errors_to_problems() -> None:
    app = LexigramApp()

    @app.get("/r")
    async def r() -> Err:
        return Err(DomainNotFound("no such user"))

    response = await _get(app, "/r")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "no such user"


async def test_err_with_an_unmapped_value_is_a_400() -> None:
    app = LexigramApp()

    @app.get("/r")
    async def r() -> Err:
        return Err("bad input")

    response = await _get(app, "/r")
    assert (response.status_code, response.json()["detail"]) == (400, "bad input")


def test_result_mapper_register_affects_only_its_own_mapper() -> None:
    class PaymentDeclined(Exception):
        pass

    mapper = ResultResponseMapper()
    mapper.register(PaymentDeclined, 402)
    assert mapper.to_response(Err(PaymentDeclined("no"))).status_code == 402
    assert ResultResponseMapper().to_response(Err(PaymentDeclined("no"))).status_code == 400


def test_result_mapper_ok_response() -> None:
    response = ResultResponseMapper().to_response(Ok({"a": 1}), success_status=201)
    assert (response.status_code, response.body) == (201, b'{"a":1}')


async def test_file_response_helper_serves_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("content")
    app = LexigramApp()

    @app.get("/f")
    async def f() -> Response:
        return file_response(target, filename="r.txt")

    response = await _get(app, "/f")
    assert response.text == "content"
    assert "r.txt" in response.headers["content-disposition"]


async def test_streaming_response_helper_streams() -> None:
    app = LexigramApp()

    def parts() -> Iterator[bytes]:
        yield b"a"
        yield b"b"

    @app.get("/s")
    async def s() -> Response:
        return streaming_response(parts(), media_type="text/plain")

    assert (await _get(app, "/s")).text == "ab"


def test_helper_functions_build_the_matching_classes() -> None:
    assert json_response({"a": 1}).body == b'{"a":1}'
    assert html_response("<b>x</b>").media_type == "text/html"
    assert text_response("x").media_type == "text/plain"
    assert redirect_response("/a").status_code == 302


async def test_head_is_answered_by_the_get_handler_without_body() -> None:
    app = LexigramApp()

    @app.get("/d")
    async def d() -> dict[str, int]:
        return {"a": 1}

    async with AsyncTestClient(app) as client:
        response = await client.head("/d")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "7"


async def test_shared_response_object_does_not_accumulate_headers() -> None:
    shared = PlainTextResponse("ok")
    app = LexigramApp(interceptors=[TimingInterceptor()])

    @app.get("/s")
    async def s() -> Response:
        return shared

    async with AsyncTestClient(app) as client:
        for _ in range(3):
            response = await client.get("/s")
    assert len(response.headers.get_list("server-timing")) == 1
    assert not any(name == b"server-timing" for name, _ in shared.raw_headers)


class _Pet(BaseModel):
    name: str


class _Cat(_Pet):
    lives: int = 9


async def test_a_handler_declaring_a_model_may_return_it_or_a_subclass() -> None:
    app = LexigramApp()

    @app.get("/pets/{kind}")
    async def pet(kind: str) -> _Pet:
        return _Cat(name="tom") if kind == "cat" else _Pet(name="rex")

    async with AsyncTestClient(app) as client:
        plain, cat = [await client.get(f"/pets/{kind}") for kind in ("dog", "cat")]
    assert (plain.status_code, plain.json()) == (200, {"name": "rex"})
    # the declared model is what is sent: the subclass's own fields stay out
    assert (cat.status_code, cat.json()) == (200, {"name": "tom"})


async def test_a_handler_declaring_one_model_returning_another_value_is_rendered_by_value() -> None:
    app = LexigramApp()

    @app.get("/pet")
    async def pet() -> _Pet:
        return {"name": "not a model"}  # type: ignore[return-value]

    async with AsyncTestClient(app) as client:
        response = await client.get("/pet")
    assert response.json() == {"name": "not a model"}


@pytest.mark.parametrize(
    ("content", "status", "headers"),
    [("Hello", 200, None), ("héllo ✓", 201, None), ("", 204, None), ("x", 200, {"X-A": "1"})],
)
def test_text_response_is_what_starlette_builds(
    content: str, status: int, headers: dict[str, str] | None
) -> None:
    ours = text_response(content, status, headers)
    theirs = PlainTextResponse(content, status, headers)
    assert isinstance(ours, PlainTextResponse)
    assert (ours.status_code, ours.body, ours.raw_headers, ours.background) == (
        theirs.status_code,
        theirs.body,
        theirs.raw_headers,
        theirs.background,
    )
