import json
import logging
from typing import Any

import pytest

from lexigram.http_errors import (
    PROBLEM_JSON,
    ErrorStatusMap,
    HTTPError,
    NotFoundError,
    ProblemDetail,
    Redirect,
    RenderedError,
    TooManyRequestsError,
    domain,
    problem_from_exception,
    render_exception,
    render_problem,
)

SECRET = "s3cr3t-api-key-0xDEADBEEF"


def body_of(rendered: RenderedError) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(rendered.body)
    return data


def header(rendered: RenderedError, name: bytes) -> list[bytes]:
    return [value for key, value in rendered.headers if key == name]


def test_http_error_renders_as_problem_json() -> None:
    rendered = render_exception(NotFoundError("user 3 not found"))
    assert rendered.status == 404
    assert header(rendered, b"content-type") == [PROBLEM_JSON.encode()]
    assert body_of(rendered) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "user 3 not found",
    }


def test_content_length_matches_the_body() -> None:
    rendered = render_exception(NotFoundError("é" * 10))
    assert header(rendered, b"content-length") == [str(len(rendered.body)).encode()]


def test_http_error_headers_are_rendered_verbatim_with_duplicates() -> None:
    error = HTTPError(401, headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-A", "é")])
    rendered = render_exception(error)
    assert header(rendered, b"set-cookie") == [b"a=1", b"b=2"]
    assert header(rendered, b"x-a") == ["é".encode("latin-1")]


def test_retry_after_reaches_the_headers() -> None:
    rendered = render_exception(TooManyRequestsError(retry_after=7))
    assert header(rendered, b"retry-after") == [b"7"]


def test_non_ascii_detail_is_utf8_json() -> None:
    rendered = render_exception(NotFoundError("ユーザーが見つかりません 🙈"))
    assert body_of(rendered)["detail"] == "ユーザーが見つかりません 🙈"
    assert "ユーザー".encode() in rendered.body


def test_huge_detail_renders_completely() -> None:
    detail = "x" * 1_000_000
    rendered = render_exception(HTTPError(400, detail))
    assert body_of(rendered)["detail"] == detail
    assert header(rendered, b"content-length") == [str(len(rendered.body)).encode()]


def test_lone_surrogate_in_detail_still_renders_the_real_status() -> None:
    rendered = render_exception(HTTPError(400, "bad \udcff byte"))
    assert rendered.status == 400
    assert body_of(rendered)["detail"] == "bad \udcff byte"


def test_code_and_extensions_are_rendered() -> None:
    error = HTTPError(409, "dup", code="DUP", extensions={"field": "email"})
    assert body_of(render_exception(error)) == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "dup",
        "code": "DUP",
        "field": "email",
    }


def test_instance_request_id_and_extensions_are_added() -> None:
    rendered = render_exception(
        NotFoundError(), instance="/users/3", request_id="req-1", extensions={"trace_id": "t"}
    )
    data = body_of(rendered)
    assert (data["instance"], data["request_id"], data["trace_id"]) == ("/users/3", "req-1", "t")


def test_unknown_exception_is_a_generic_500_without_its_text() -> None:
    rendered = render_exception(RuntimeError(SECRET))
    assert rendered.status == 500
    assert body_of(rendered) == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An internal error occurred.",
    }
    assert SECRET.encode() not in rendered.body
    assert b"RuntimeError" not in rendered.body


def test_secret_in_a_mapped_5xx_domain_error_never_leaks_without_debug() -> None:
    statuses = ErrorStatusMap({ConnectionError: 503})
    rendered = render_exception(ConnectionError(SECRET), status_map=statuses)
    assert rendered.status == 503
    assert SECRET.encode() not in rendered.body
    assert body_of(rendered)["title"] == "Service Unavailable"


def test_secret_in_a_cause_never_leaks_without_debug() -> None:
    try:
        try:
            raise KeyError(SECRET)
        except KeyError as inner:
            raise RuntimeError("wrapper") from inner
    except RuntimeError as exc:
        rendered = render_exception(exc)
    assert SECRET.encode() not in rendered.body


def test_debug_500_carries_text_type_and_traceback() -> None:
    try:
        raise RuntimeError(SECRET)
    except RuntimeError as exc:
        rendered = render_exception(exc, debug=True)
    data = body_of(rendered)
    assert data["detail"] == f"RuntimeError: {SECRET}"
    assert data["exception"] == "builtins.RuntimeError"
    assert any("raise RuntimeError" in line for line in data["traceback"])


def test_debug_does_not_add_a_traceback_to_4xx() -> None:
    data = body_of(render_exception(NotFoundError(), debug=True))
    assert "traceback" not in data


def test_default_map_renders_domain_errors() -> None:
    rendered = render_exception(domain.NotFoundError(resource="User", identifier=3))
    assert rendered.status == 404
    assert body_of(rendered)["detail"] == "User '3' not found"


def test_domain_validation_error_renders_errors_and_code() -> None:
    errors = [{"loc": ["body", "name"], "msg": "required", "type": "missing"}]
    data = body_of(render_exception(domain.ValidationError(errors=errors, code="INVALID")))
    assert data["status"] == 422
    assert data["errors"] == errors
    assert data["code"] == "INVALID"


def test_domain_rate_limit_error_sets_retry_after() -> None:
    rendered = render_exception(domain.RateLimitError(retry_after=1.5))
    assert rendered.status == 429
    assert header(rendered, b"retry-after") == [b"2"]


def test_status_map_decides_the_status_of_other_exceptions() -> None:
    rendered = render_exception(KeyError("sku-1"), status_map=ErrorStatusMap({KeyError: 404}))
    assert rendered.status == 404
    assert body_of(rendered)["detail"] == "'sku-1'"


def test_exception_with_empty_text_gets_the_title_as_detail() -> None:
    rendered = render_exception(KeyError(), status_map=ErrorStatusMap({KeyError: 404}))
    assert body_of(rendered)["detail"] == "Not Found"


def test_redirect_renders_location_and_an_empty_body() -> None:
    rendered = render_exception(Redirect("/login", 303))
    assert rendered.status == 303
    assert rendered.body == b""
    assert rendered.headers == [(b"location", b"/login"), (b"content-length", b"0")]


class _ExplodingStr(domain.DomainError):
    def __str__(self) -> str:
        raise RuntimeError("cannot describe myself")


def test_failure_while_rendering_gives_a_valid_500(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="lexigram.http_errors"):
        rendered = render_exception(_ExplodingStr())
    assert rendered.status == 500
    assert body_of(rendered)["status"] == 500
    assert header(rendered, b"content-length") == [str(len(rendered.body)).encode()]
    assert "rendering _ExplodingStr failed" in caplog.text


def test_headers_changed_after_construction_are_checked_again() -> None:
    error = HTTPError(400)
    error.headers.append(("X-A", "a\r\nX-Injected: 1"))
    rendered = render_exception(error)
    assert rendered.status == 500
    assert b"X-Injected" not in b"".join(value for _, value in rendered.headers)


def test_unserializable_extension_values_become_strings() -> None:
    class Point:
        def __str__(self) -> str:
            return "(1, 2)"

    data = body_of(render_exception(HTTPError(400, extensions={"where": Point()})))
    assert data["where"] == "(1, 2)"


def test_render_extensions_cannot_shadow_standard_members() -> None:
    rendered = render_exception(NotFoundError(), extensions={"status": 200})
    assert rendered.status == 500


def test_problem_from_exception_returns_str_headers() -> None:
    status, headers, body = problem_from_exception(
        TooManyRequestsError("slow", retry_after=2), request_id="r"
    )
    assert status == 429
    assert headers == [("content-type", PROBLEM_JSON), ("Retry-After", "2")]
    assert json.loads(body)["request_id"] == "r"


def test_problem_from_exception_of_a_redirect() -> None:
    assert problem_from_exception(Redirect("/x")) == (302, [("Location", "/x")], b"")


def test_problem_from_exception_hides_5xx_text() -> None:
    status, _, body = problem_from_exception(ValueError(SECRET))
    assert status == 500
    assert SECRET.encode() not in body


def test_problem_from_exception_never_raises() -> None:
    status, headers, body = problem_from_exception(_ExplodingStr())
    assert status == 500
    assert headers == [("content-type", PROBLEM_JSON)]
    assert json.loads(body)["status"] == 500


def test_render_problem_uses_the_problem_status_and_extra_headers() -> None:
    rendered = render_problem(ProblemDetail(status=409, detail="x"), [("X-A", "1")])
    assert rendered.status == 409
    assert body_of(rendered)["detail"] == "x"
    assert header(rendered, b"x-a") == [b"1"]


def test_render_problem_without_status_answers_500() -> None:
    assert render_problem(ProblemDetail()).status == 500


def test_render_problem_never_raises() -> None:
    rendered = render_problem(ProblemDetail(status=400), [("X-A", "\n")])
    assert rendered.status == 500
