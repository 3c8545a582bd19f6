import json
import sys

import pytest

from lexigram.http_errors import _json


def test_stdlib_fallback_is_compact_utf8() -> None:
    assert _json.dumps_stdlib({"a": "é", "b": [1, 2]}) == '{"a":"é","b":[1,2]}'.encode()


def test_stdlib_fallback_turns_unknown_objects_into_strings() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert json.loads(_json.dumps_stdlib({"x": Thing()})) == {"x": "thing"}


def test_stdlib_fallback_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        _json.dumps_stdlib({"x": float("nan")})


def test_ascii_encoding_escapes_lone_surrogates() -> None:
    assert _json.dumps_ascii({"x": "\udcff"}) == b'{"x":"\\udcff"}'


def test_orjson_is_not_used_when_it_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)
    assert _json._make_orjson_dumps() is None  # pyright: ignore[reportPrivateUsage]


def test_dumps_is_one_of_the_two_encoders() -> None:
    if _json.HAS_ORJSON:
        assert _json.dumps is not _json.dumps_stdlib
    else:
        assert _json.dumps is _json.dumps_stdlib
    assert json.loads(_json.dumps({"k": [1, "é"]})) == {"k": [1, "é"]}
