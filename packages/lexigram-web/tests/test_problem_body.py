"""``http_error_body`` gives exactly the body ``problem_for`` renders, or leaves it to it."""

from __future__ import annotations

from typing import Any

import pytest

from lexigram.http_errors import (
    BadRequestError,
    HTTPError,
    NotFoundError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from lexigram.web._http.problem import http_error_body, problem_for

_ERRORS: list[HTTPError] = [
    NotFoundError("item 999 not found"),
    NotFoundError(),
    BadRequestError("bad", code="E1", extensions={"field": "name", "request_id": "own"}),
    HTTPError(418, "teapot", title="Short", type="https://example.com/teapot"),
    HTTPError(409, extensions={"trace_id": "mine", "count": 2}),
    NotFoundError("big", extensions={"n": 2**70, "when": object()}),
]
_SCOPES: list[dict[str, Any]] = [
    {"path": "/items/999"},
    {"path": "/a", "state": {}},
    {"path": "/a", "state": {"request_id": "r-1"}},
    {"path": "/a", "state": {"request_id": "r-1", "trace_id": "t-1"}},
    {"state": {"trace_id": "t-1"}},
]


@pytest.mark.parametrize("error", _ERRORS)
@pytest.mark.parametrize("scope", _SCOPES)
def test_the_body_is_problem_fors(error: HTTPError, scope: dict[str, Any]) -> None:
    body = http_error_body(error, scope)
    if body is not None:
        assert body == problem_for(error, scope).body


def test_an_error_with_headers_or_an_unencodable_member_is_left_to_problem_for() -> None:
    scope = {"path": "/a"}
    assert http_error_body(UnauthorizedError("no", www_authenticate="Bearer"), scope) is None
    assert http_error_body(NotFoundError("x", extensions={"s": "\udcff"}), scope) is None


def test_a_server_error_renders_the_same_body_too() -> None:
    error = ServiceUnavailableError("later")
    assert http_error_body(error, {"path": "/a"}) == problem_for(error, {"path": "/a"}).body
