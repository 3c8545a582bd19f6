"""HTTP and domain errors, RFC 9457 problem details, and the machinery that renders them.

- ``HTTPError`` and its subclasses carry the response they should become;
- ``lexigram.http_errors.domain`` holds HTTP-free errors for services;
- ``ErrorStatusMap`` maps exception types to statuses (one per app or controller);
- ``ExceptionHandlers`` keys handlers by exception type or status code;
- ``render_exception`` / ``problem_from_exception`` turn any exception into a
  problem+json response, and ``ProblemDetailsMiddleware`` does it for any ASGI app;
- ``lexigram.http_errors.status`` names the status and WebSocket close codes.

No dependencies; orjson is used for JSON when it is installed.
"""

from . import domain, status
from ._handlers import ExceptionHandlers, HandlerKey
from ._http_classes import (
    BadRequestError,
    ConflictError,
    ConnectionLimitError,
    ForbiddenError,
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
from ._http_error import HTTPError, Redirect
from ._middleware import HandlerResult, ProblemDetailsMiddleware, ProblemHandler
from ._problem import PROBLEM_JSON, ProblemDetail
from ._render import RenderedError, problem_from_exception, render_exception, render_problem
from ._status_map import DEFAULT_ERROR_STATUSES, ErrorStatusMap, error_status
from ._websocket import WebSocketDisconnect, WebSocketException
from .domain import DomainError
from .status import reason_phrase

__all__ = [
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
