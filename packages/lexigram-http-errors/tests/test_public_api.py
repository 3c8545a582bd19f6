import lexigram.http_errors as http_errors
from lexigram.http_errors import domain, status


def test_package_all_is_pinned() -> None:
    assert http_errors.__all__ == [
        "DEFAULT_ERROR_STATUSES",
        "PROBLEM_JSON",
        "BadRequestError",
        "ConflictError",
        "ConnectionLimitError",
        "DomainError",
        "ErrorStatusMap",
        "ExceptionHandlers",
        "ForbiddenError",
        "HTTPError",
        "HandlerKey",
        "HandlerResult",
        "InternalServerError",
        "MethodNotAllowedError",
        "NotFoundError",
        "PayloadTooLargeError",
        "ProblemDetail",
        "ProblemDetailsMiddleware",
        "ProblemHandler",
        "Redirect",
        "RenderedError",
        "ServiceUnavailableError",
        "TooManyRequestsError",
        "UnauthorizedError",
        "UnprocessableEntityError",
        "UnsupportedMediaTypeError",
        "WebSocketDisconnect",
        "WebSocketException",
        "domain",
        "error_status",
        "problem_from_exception",
        "reason_phrase",
        "render_exception",
        "render_problem",
        "status",
    ]


def test_every_exported_name_exists() -> None:
    missing = [name for name in http_errors.__all__ if not hasattr(http_errors, name)]
    assert missing == []


def test_domain_all_is_pinned() -> None:
    assert domain.__all__ == [
        "AuthenticationError",
        "AuthorizationError",
        "ConflictError",
        "DomainError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ValidationError",
    ]


def test_status_module_exports_every_constant_it_defines() -> None:
    defined = sorted(
        name
        for name in vars(status)
        if name.startswith(("HTTP_", "WS_")) or name == "REASON_PHRASES"
    )
    assert sorted(status.__all__) == sorted([*defined, "reason_phrase"])
    assert status.__all__ == sorted(status.__all__)


def test_domain_errors_do_not_shadow_http_errors_at_top_level() -> None:
    http_not_found: object = http_errors.NotFoundError
    assert http_not_found is not domain.NotFoundError
    assert http_errors.DomainError is domain.DomainError


def test_problem_media_type() -> None:
    assert http_errors.PROBLEM_JSON == "application/problem+json"
