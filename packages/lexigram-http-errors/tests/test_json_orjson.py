import json

import pytest

from lexigram.http_errors import ProblemDetail, _json

pytestmark = pytest.mark.extra("orjson")


def test_orjson_is_used_when_installed() -> None:
    assert _json.HAS_ORJSON
    assert _json.dumps is not _json.dumps_stdlib
    assert _json.dumps.__name__ == "dumps_orjson"


def test_orjson_and_stdlib_produce_the_same_document() -> None:
    data = ProblemDetail(status=422, detail="naïve", errors=[{"loc": ["a", 0]}], n={1: 2}).to_dict()
    assert json.loads(_json.dumps(data)) == json.loads(_json.dumps_stdlib(data))


def test_orjson_turns_unknown_objects_into_strings() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert json.loads(_json.dumps({"x": Thing()})) == {"x": "thing"}
