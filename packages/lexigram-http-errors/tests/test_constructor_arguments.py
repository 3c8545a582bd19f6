"""The error classes' positional arguments: ``(detail, cause)``, with ``retry_after`` or
``code`` second where the class has one, and ``InternalServerError``'s default ``code``."""

import json
from collections.abc import Callable

import pytest

from lexigram.http_errors import (
    BadRequestError,
    ConflictError,
    ConnectionLimitError,
    ForbiddenError,
    HTTPError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    render_exception,
)

DETAIL_THEN_CAUSE: list[Callable[..., HTTPError]] = [
    BadRequestError,
    UnauthorizedError,
    ForbiddenError,
    NotFoundError,
    ConflictError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    UnprocessableEntityError,
    ConnectionLimitError,
]


@pytest.mark.parametrize("cls", DETAIL_THEN_CAUSE)
def test_cause_is_accepted_positionally_after_the_detail(cls: Callable[..., HTTPError]) -> None:
    cause = KeyError("order 7")
    error = cls("no such order", cause)
    assert error.detail == "no such order"
    assert error.cause is cause
    assert error.__cause__ is cause


def test_too_many_requests_takes_detail_retry_after_and_cause_positionally() -> None:
    cause = RuntimeError("quota")
    error = TooManyRequestsError("slow down", 30, cause)
    assert (error.detail, error.retry_after, error.cause) == ("slow down", 30, cause)
    assert error.headers == [("Retry-After", "30")]


def test_service_unavailable_takes_detail_retry_after_and_cause_positionally() -> None:
    cause = ConnectionError("db")
    error = ServiceUnavailableError("maintenance", 120, cause)
    assert (error.retry_after, error.__cause__) == (120, cause)
    assert error.headers == [("Retry-After", "120")]


def test_connection_limit_takes_retry_after_by_name() -> None:
    error = ConnectionLimitError("full", retry_after=5)
    assert (error.status_code, error.detail, error.headers) == (503, "full", [("Retry-After", "5")])


def test_method_not_allowed_takes_the_cause_after_allowed_and_detail() -> None:
    cause = LookupError("route")
    error = MethodNotAllowedError(["GET"], "read only", cause)
    assert (error.headers, error.cause) == ([("Allow", "GET")], cause)


def test_internal_server_error_code_defaults_to_internal_server_error() -> None:
    error = InternalServerError()
    assert error.code == "INTERNAL_SERVER_ERROR"
    body = json.loads(render_exception(error).body)
    assert body["code"] == "INTERNAL_SERVER_ERROR"
    assert body["detail"] == "Internal Server Error"


def test_internal_server_error_takes_detail_code_and_cause_positionally() -> None:
    cause = OSError("disk")
    error = InternalServerError("storage failed", "STORAGE", cause)
    assert (error.detail, error.code, error.cause) == ("storage failed", "STORAGE", cause)


def test_internal_server_error_without_a_code_leaves_the_member_out() -> None:
    error = InternalServerError(code=None)
    assert error.code is None
    assert "code" not in json.loads(render_exception(error).body)


@pytest.mark.parametrize("cls", DETAIL_THEN_CAUSE)
def test_a_positional_cause_that_is_not_an_exception_names_the_keywords(
    cls: Callable[..., HTTPError],
) -> None:
    with pytest.raises(TypeError, match="pass headers=, code= and extensions= by name"):
        cls("detail", {"X-Header": "value"})
