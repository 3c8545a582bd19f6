"""Pipes: the built-ins, their order (global, controller, handler, parameter), their errors."""

import datetime as dt
import enum
import uuid
from typing import Any

import pytest
from pydantic import BaseModel

from lexigram.http_errors import BadRequestError
from lexigram.web import (
    Controller,
    DefaultValuePipe,
    LexigramApp,
    ParamMetadata,
    ParseBoolPipe,
    ParseDatePipe,
    ParseEnumPipe,
    ParseIntPipe,
    ParseUUIDPipe,
    ValidationPipe,
    get,
    query,
    use_pipes,
)
from lexigram.web.testing import AsyncTestClient


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Bounds(BaseModel):
    low: int
    high: int


def meta(name: str = "v", expected: Any = None) -> ParamMetadata:
    return ParamMetadata(name=name, param_type="query", expected_type=expected)


def test_parse_int_pipe() -> None:
    assert ParseIntPipe().transform(" 42 ", meta()) == 42
    with pytest.raises(ValueError, match="must be an integer"):
        ParseIntPipe().transform("x", meta())


def test_parse_bool_pipe() -> None:
    pipe = ParseBoolPipe()
    assert [pipe.transform(v, meta()) for v in ("yes", "OFF", "1")] == [True, False, True]
    with pytest.raises(ValueError, match="boolean"):
        pipe.transform("perhaps", meta())


def test_parse_uuid_pipe_checks_the_version() -> None:
    value = uuid.uuid4()
    assert ParseUUIDPipe(version=4).transform(str(value), meta()) == value
    with pytest.raises(ValueError, match="version 1"):
        ParseUUIDPipe(version=1).transform(str(value), meta())


def test_parse_date_pipe() -> None:
    assert ParseDatePipe().transform("2024-02-29", meta()) == dt.date(2024, 2, 29)
    stamp = ParseDatePipe(datetime=True).transform("2024-02-29T10:00:00", meta())
    assert stamp == dt.datetime(2024, 2, 29, 10)
    with pytest.raises(ValueError, match="ISO 8601"):
        ParseDatePipe().transform("29/02/2024", meta())


def test_parse_enum_pipe_by_value_or_name() -> None:
    pipe = ParseEnumPipe(Color)
    assert pipe.transform("red", meta()) is Color.RED
    assert pipe.transform("BLUE", meta()) is Color.BLUE
    with pytest.raises(ValueError, match="one of: red, blue"):
        pipe.transform("green", meta())


def test_default_value_pipe_fills_missing_values() -> None:
    pipe = DefaultValuePipe(5)
    assert [pipe.transform(v, meta()) for v in (None, "", "3")] == [5, 5, "3"]


def test_validation_pipe_validates_with_a_model() -> None:
    pipe = ValidationPipe(Bounds)
    metadata = meta()
    pipe.prepare(metadata)
    assert pipe.transform({"low": "1", "high": 2}, metadata) == Bounds(low=1, high=2)


async def test_pipes_on_a_parameter_transform_the_raw_value() -> None:
    app = LexigramApp()

    @app.get("/p")
    async def p(
        n: int = query(pipes=[DefaultValuePipe("7"), ParseIntPipe()]),
        color: Color = query(pipes=[ParseEnumPipe(Color)]),  # noqa: B008
    ) -> list[Any]:
        return [n, color.value]

    async with AsyncTestClient(app) as client:
        response = await client.get("/p?color=BLUE")
    assert response.json() == [7, "blue"]


async def test_pipe_errors_join_the_single_422() -> None:
    app = LexigramApp()

    @app.get("/p")
    async def p(
        a: int = query(pipes=[ParseIntPipe()]), b: int = query(pipes=[ParseIntPipe()])
    ) -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.get("/p?a=x&b=y")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["query", "a"], ["query", "b"]]
    assert response.json()["errors"][0]["msg"] == "a must be an integer"


class Upper:
    async def transform(self, value: Any, metadata: ParamMetadata) -> Any:
        return value.upper() if isinstance(value, str) else value


class Tag:
    def __init__(self, tag: str) -> None:
        self.tag = tag

    def transform(self, value: Any, metadata: ParamMetadata) -> Any:
        return f"{value}{self.tag}" if isinstance(value, str) else value


async def test_pipes_run_global_controller_handler_parameter() -> None:
    @use_pipes(Tag("-controller"))
    class Words(Controller):
        @get("/w")
        @use_pipes(Tag("-handler"))
        async def w(self, word: str = query(pipes=[Tag("-param")])) -> str:
            return word

    app = LexigramApp(controllers=[Words], pipes=[Upper()])
    async with AsyncTestClient(app) as client:
        response = await client.get("/w?word=a")
    assert response.json() == "A-controller-handler-param"


class Refuse:
    def transform(self, value: Any, metadata: ParamMetadata) -> Any:
        raise BadRequestError(f"{metadata.name} refused")


async def test_pipe_raising_an_http_error_answers_with_it() -> None:
    app = LexigramApp()

    @app.get("/r")
    async def r(x: str = query(pipes=[Refuse()])) -> str:
        return x

    async with AsyncTestClient(app) as client:
        response = await client.get("/r?x=1")
    assert (response.status_code, response.json()["detail"]) == (400, "x refused")


async def test_validation_pipe_uses_the_parameter_annotation_by_default() -> None:
    app = LexigramApp()

    @app.get("/v")
    async def v(when: dt.date = query(pipes=[ValidationPipe()])) -> str:  # noqa: B008
        return when.isoformat()

    async with AsyncTestClient(app) as client:
        ok = await client.get("/v?when=2024-01-02")
        bad = await client.get("/v?when=soon")
    assert ok.json() == "2024-01-02"
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "when"]
