import copy
import pickle
from collections.abc import Callable
from typing import Any

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
)

SIMPLE: list[tuple[type[Any], int, str]] = [
    (BadRequestError, 400, "Bad Request"),
    (UnauthorizedError, 401, "Unauthorized"),
    (ForbiddenError, 403, "Forbidden"),
    (NotFoundError, 404, "Not Found"),
    (ConflictError, 409, "Conflict"),
    (PayloadTooLargeError, 413, "Content Too Large"),
    (UnsupportedMediaTypeError, 415, "Unsupported Media Type"),
    (UnprocessableEntityError, 422, "Unprocessable Content"),
    (TooManyRequestsError, 429, "Too Many Requests"),
    (InternalServerError, 500, "Internal Server Error"),
    (ServiceUnavailableError, 503, "Service Unavailable"),
]


@pytest.mark.parametrize(("cls", "code", "phrase"), SIMPLE)
def test_subclass_has_its_status_and_reason_phrase_title(
    cls: Callable[..., HTTPError], code: int, phrase: str
) -> None:
    error = cls()
    assert isinstance(error, HTTPError)
    assert error.status_code == code
    assert error.title == phrase
    assert error.detail == phrase
    assert error.headers == []
    assert error.type == "about:blank"


@pytest.mark.parametrize(("cls", "code", "phrase"), SIMPLE)
def test_subclass_keeps_a_given_detail(
    cls: Callable[..., HTTPError], code: int, phrase: str
) -> None:
    error = cls("custom detail")
    assert (error.status_code, error.title, error.detail) == (code, phrase, "custom detail")


def test_base_error_takes_status_detail_headers_code_and_cause() -> None:
    cause = KeyError("user")
    error = HTTPError(418, "short and stout", {"X-Tea": "earl grey"}, "TEAPOT", cause)
    assert error.status_code == 418
    assert error.detail == "short and stout"
    assert error.headers == [("X-Tea", "earl grey")]
    assert error.code == "TEAPOT"
    assert error.cause is cause
    assert error.__cause__ is cause


def test_base_error_detail_defaults_to_the_title() -> None:
    assert HTTPError(404).detail == "Not Found"


def test_title_and_type_can_be_given() -> None:
    error = HTTPError(400, "bad", title="Invalid order", type="https://example.test/invalid")
    assert error.title == "Invalid order"
    assert error.type == "https://example.test/invalid"


@pytest.mark.parametrize("bad", [399, 600, 200, 302, 0, -404])
def test_status_outside_400_599_is_rejected_naming_the_range(bad: int) -> None:
    with pytest.raises(ValueError, match="400-599"):
        HTTPError(bad)


def test_bool_status_is_rejected() -> None:
    with pytest.raises(ValueError, match="400-599"):
        HTTPError(True)


def test_extensions_are_kept() -> None:
    error = HTTPError(400, extensions={"trace_id": "t-1"})
    assert error.extensions == {"trace_id": "t-1"}


def test_extension_shadowing_a_standard_member_is_rejected() -> None:
    with pytest.raises(ValueError, match="'status'"):
        HTTPError(400, extensions={"status": 200})


def test_str_shows_status_title_and_detail() -> None:
    assert str(NotFoundError("user 3 not found")) == "404 Not Found: user 3 not found"
    assert str(NotFoundError()) == "404 Not Found"


def test_repr_names_the_class_and_fields() -> None:
    error = TooManyRequestsError("slow down", retry_after=3, code="RATE")
    text = repr(error)
    assert text.startswith("TooManyRequestsError(status_code=429, detail='slow down'")
    assert "('Retry-After', '3')" in text
    assert "code='RATE'" in text


def test_unauthorized_sets_www_authenticate() -> None:
    error = UnauthorizedError("token expired", www_authenticate='Bearer error="invalid_token"')
    assert error.headers == [("WWW-Authenticate", 'Bearer error="invalid_token"')]


def test_method_not_allowed_sets_allow_upper_cased_and_deduplicated() -> None:
    error = MethodNotAllowedError(["get", "POST", "get"])
    assert error.status_code == 405
    assert error.allowed == ("GET", "POST")
    assert error.headers == [("Allow", "GET, POST")]


def test_method_not_allowed_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError, match="iterable of methods"):
        MethodNotAllowedError("GET")


def test_too_many_requests_rounds_retry_after_up() -> None:
    error = TooManyRequestsError(retry_after=1.2)
    assert error.retry_after == 1.2
    assert error.headers == [("Retry-After", "2")]


def test_too_many_requests_without_retry_after_has_no_header() -> None:
    assert TooManyRequestsError().headers == []


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_too_many_requests_rejects_bad_retry_after(bad: float) -> None:
    with pytest.raises(ValueError, match="retry_after"):
        TooManyRequestsError(retry_after=bad)


def test_service_unavailable_can_carry_retry_after() -> None:
    assert ServiceUnavailableError(retry_after=30).headers == [("Retry-After", "30")]


def test_connection_limit_is_a_503_about_active_connections() -> None:
    error = ConnectionLimitError()
    assert isinstance(error, ServiceUnavailableError)
    assert error.status_code == 503
    assert error.detail == "Too many active connections"


def test_unprocessable_entity_errors_become_an_extension() -> None:
    errors = [{"loc": ["body", "age"], "msg": "must be positive", "type": "value_error"}]
    error = UnprocessableEntityError("invalid body", errors=errors)
    assert error.errors == errors
    assert error.extensions == {"errors": errors}


def test_bad_request_errors_become_an_extension() -> None:
    error = BadRequestError(errors=[{"msg": "x"}])
    assert error.errors == [{"msg": "x"}]


def test_error_without_errors_reports_none() -> None:
    assert NotFoundError().errors is None


def test_extra_headers_combine_with_generated_ones() -> None:
    error = TooManyRequestsError(retry_after=5, headers=[("X-Limit", "10")])
    assert error.headers == [("X-Limit", "10"), ("Retry-After", "5")]


def test_errors_survive_pickling() -> None:
    error = MethodNotAllowedError(["GET"], "nope", code="M")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is MethodNotAllowedError
    assert (clone.status_code, clone.detail, clone.headers, clone.code, clone.allowed) == (
        405,
        "nope",
        [("Allow", "GET")],
        "M",
        ("GET",),
    )


def test_errors_can_be_copied() -> None:
    error = NotFoundError("gone", headers={"X-A": "1"})
    clone = copy.copy(error)
    assert (clone.status_code, clone.detail, clone.headers) == (404, "gone", [("X-A", "1")])


def test_errors_are_raisable_and_catchable_as_http_error() -> None:
    with pytest.raises(HTTPError) as caught:
        raise ForbiddenError("no")
    assert caught.value.status_code == 403
