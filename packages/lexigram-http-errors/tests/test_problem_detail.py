import json

import pytest

from lexigram.http_errors import (
    HTTPError,
    NotFoundError,
    ProblemDetail,
    TooManyRequestsError,
    UnprocessableEntityError,
    domain,
)

SECRET = "postgres://admin:hunter2@db"


def test_defaults_follow_rfc_9457() -> None:
    problem = ProblemDetail()
    assert problem.to_dict() == {"type": "about:blank"}


def test_title_defaults_to_the_reason_phrase() -> None:
    assert ProblemDetail(status=404).title == "Not Found"
    assert ProblemDetail(status=404, title="Missing").title == "Missing"


def test_to_dict_orders_standard_members_then_extensions() -> None:
    problem = ProblemDetail(
        status=409,
        detail="already exists",
        instance="/users/1",
        request_id="r-1",
        extensions={"code": "DUP"},
    )
    data = problem.to_dict()
    assert list(data) == ["type", "title", "status", "detail", "instance", "code", "request_id"]
    assert data["request_id"] == "r-1"


def test_to_dict_leaves_out_members_that_are_none() -> None:
    assert ProblemDetail(status=500).to_dict() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
    }


def test_errors_is_an_extension_member() -> None:
    problem = ProblemDetail(status=422, errors=[{"msg": "x"}])
    assert problem.errors == [{"msg": "x"}]
    assert problem.to_dict()["errors"] == [{"msg": "x"}]
    assert ProblemDetail().errors is None


@pytest.mark.parametrize("name", ["type", "title", "status", "detail", "instance"])
def test_extensions_may_not_shadow_standard_members(name: str) -> None:
    with pytest.raises(ValueError, match="shadow"):
        ProblemDetail(extensions={name: "x"})


def test_set_extension_refuses_standard_names_too() -> None:
    problem = ProblemDetail(status=400)
    problem.set_extension("trace_id", "t")
    assert problem.extensions == {"trace_id": "t"}
    with pytest.raises(ValueError, match="shadow"):
        problem.set_extension("status", 200)


def test_a_standard_member_slipped_into_extensions_never_overrides_it() -> None:
    problem = ProblemDetail(status=404)
    problem.extensions["status"] = 200
    assert problem.to_dict()["status"] == 404


def test_status_outside_100_599_is_rejected() -> None:
    with pytest.raises(ValueError, match="100-599"):
        ProblemDetail(status=700)


def test_to_json_is_utf8_json_of_to_dict() -> None:
    problem = ProblemDetail(status=400, detail="données invalides")
    body = problem.to_json()
    assert json.loads(body) == problem.to_dict()
    assert "données".encode() in body


def test_equality_compares_content() -> None:
    assert ProblemDetail(status=404) == ProblemDetail(status=404, title="Not Found")
    assert ProblemDetail(status=404) != ProblemDetail(status=400)
    assert ProblemDetail(status=404) != "404"


def test_repr_shows_the_members() -> None:
    assert repr(ProblemDetail(status=404)) == (
        "ProblemDetail(type='about:blank', title='Not Found', status=404)"
    )


def test_from_http_error_uses_its_own_status_and_members() -> None:
    error = UnprocessableEntityError("bad body", errors=[{"msg": "x"}], code="BODY")
    problem = ProblemDetail.from_exception(error)
    assert problem.to_dict() == {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": "bad body",
        "code": "BODY",
        "errors": [{"msg": "x"}],
    }


def test_from_http_error_keeps_a_custom_type_and_title() -> None:
    error = HTTPError(403, "card declined", title="Payment refused", type="https://x.test/p")
    problem = ProblemDetail.from_exception(error)
    assert (problem.type, problem.title, problem.status) == (
        "https://x.test/p",
        "Payment refused",
        403,
    )


def test_from_plain_exception_hides_5xx_text_in_production() -> None:
    problem = ProblemDetail.from_exception(RuntimeError(SECRET))
    assert problem.status == 500
    assert problem.detail == "An internal error occurred."
    assert SECRET not in problem.to_json().decode()
    assert "RuntimeError" not in problem.to_json().decode()


def test_from_plain_exception_shows_text_and_traceback_in_debug() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        problem = ProblemDetail.from_exception(exc, debug=True)
    assert problem.detail == "RuntimeError: boom"
    assert problem.extensions["exception"] == "builtins.RuntimeError"
    traceback = problem.extensions["traceback"]
    assert any("raise RuntimeError" in line for line in traceback)


def test_from_plain_exception_with_4xx_status_uses_its_text() -> None:
    problem = ProblemDetail.from_exception(domain.NotFoundError("no such user"), status=404)
    assert (problem.status, problem.detail) == (404, "no such user")


def test_from_exception_adds_extensions() -> None:
    problem = ProblemDetail.from_exception(NotFoundError(), request_id="r-9")
    assert problem.extensions["request_id"] == "r-9"


def test_from_exception_rejects_shadowing_extensions() -> None:
    with pytest.raises(ValueError, match="shadow"):
        ProblemDetail.from_exception(NotFoundError(), detail="x")


def test_from_exception_does_not_copy_headers_into_the_body() -> None:
    problem = ProblemDetail.from_exception(TooManyRequestsError(retry_after=3))
    assert "Retry-After" not in problem.to_dict()


def test_validation_error_factory() -> None:
    problem = ProblemDetail.validation_error([{"loc": ["q"], "msg": "bad", "type": "value"}])
    assert (problem.status, problem.title, problem.detail) == (
        422,
        "Unprocessable Content",
        "Validation failed",
    )
    assert problem.errors == [{"loc": ["q"], "msg": "bad", "type": "value"}]


def test_validation_error_factory_can_answer_400() -> None:
    assert ProblemDetail.validation_error([], status=400).status == 400


def test_not_found_factory() -> None:
    assert ProblemDetail.not_found("User", 42).detail == "User '42' not found"
    assert ProblemDetail.not_found("User").detail == "User not found"
    assert ProblemDetail.not_found("User").status == 404


def test_bad_request_factory() -> None:
    problem = ProblemDetail.bad_request("malformed", errors=[{"msg": "x"}])
    assert (problem.status, problem.detail, problem.errors) == (400, "malformed", [{"msg": "x"}])
    assert ProblemDetail.bad_request("malformed").errors is None


def test_internal_error_factory() -> None:
    problem = ProblemDetail.internal_error()
    assert (problem.status, problem.title, problem.detail) == (
        500,
        "Internal Server Error",
        "An internal error occurred.",
    )


def test_factories_accept_extension_members() -> None:
    assert ProblemDetail.validation_error([], request_id="r").extensions == {
        "request_id": "r",
        "errors": [],
    }
    assert ProblemDetail.not_found("User", trace_id="t").extensions == {"trace_id": "t"}
    assert ProblemDetail.bad_request("x", code="C").extensions == {"code": "C"}
    assert ProblemDetail.internal_error(request_id="r").extensions == {"request_id": "r"}


def test_factories_reject_shadowing_extension_members() -> None:
    with pytest.raises(ValueError, match="shadow"):
        ProblemDetail.not_found("User", instance="/x")
