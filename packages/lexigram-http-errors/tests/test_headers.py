from typing import Any

import pytest

from lexigram.http_errors import HTTPError


def test_dict_headers_become_pairs_in_order() -> None:
    error = HTTPError(400, headers={"X-A": "1", "X-B": "2"})
    assert error.headers == [("X-A", "1"), ("X-B", "2")]


def test_pair_headers_keep_duplicate_names() -> None:
    error = HTTPError(401, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    assert error.headers == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]


def test_headers_may_come_from_a_generator() -> None:
    error = HTTPError(400, headers=(pair for pair in [("X-A", "1")]))
    assert error.headers == [("X-A", "1")]


def test_header_case_is_kept() -> None:
    assert HTTPError(400, headers={"x-MiXeD": "v"}).headers == [("x-MiXeD", "v")]


def test_latin1_header_values_are_accepted() -> None:
    assert HTTPError(400, headers={"X-Name": "café"}).headers == [("X-Name", "café")]


def test_empty_header_value_is_accepted() -> None:
    assert HTTPError(400, headers={"X-Empty": ""}).headers == [("X-Empty", "")]


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_header_value_with_cr_lf_or_nul_is_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        HTTPError(400, headers={"X-A": value})


def test_header_value_outside_latin1_is_rejected_with_a_fix() -> None:
    with pytest.raises(ValueError, match="percent-encode"):
        HTTPError(400, headers={"X-A": "名前"})


@pytest.mark.parametrize("name", ["", "Bad Name", "X:Y", "Ünï", "a\nb"])
def test_invalid_header_name_is_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="invalid header name"):
        HTTPError(400, headers={name: "v"})


def test_non_string_header_value_is_rejected() -> None:
    bad: Any = {"Retry-After": 5}
    with pytest.raises(TypeError, match="str"):
        HTTPError(429, headers=bad)


@pytest.mark.parametrize("name", ["Content-Type", "content-length", "Transfer-Encoding"])
def test_headers_the_renderer_sets_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="set by the error renderer"):
        HTTPError(400, headers={name: "x"})


def test_items_that_are_not_pairs_are_rejected() -> None:
    bad: Any = [("X-A", "1", "extra")]
    with pytest.raises(TypeError, match="pair"):
        HTTPError(400, headers=bad)


def test_a_string_is_not_accepted_as_headers() -> None:
    bad: Any = "X-A: 1"
    with pytest.raises(TypeError, match="mapping or an iterable"):
        HTTPError(400, headers=bad)
