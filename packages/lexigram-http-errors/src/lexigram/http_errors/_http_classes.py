"""The common HTTP errors, one class per status code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ._headers import HeadersInput, normalize_headers
from ._http_error import HTTPError, format_retry_after
from ._members import check_extensions
from .status import reason_phrase

__all__ = [
    "BadRequestError",
    "ConflictError",
    "ConnectionLimitError",
    "ForbiddenError",
    "InternalServerError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ServiceUnavailableError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
]


class _FixedStatusError(HTTPError):
    """An ``HTTPError`` whose status is the class's ``__error_status__``.

    ``cause`` may be given positionally after ``detail``; it must be an exception.
    """

    __error_status__: ClassVar[int | None]
    _default_detail: ClassVar[str] = ""

    def __init__(
        self,
        detail: str = "",
        cause: BaseException | None = None,
        *,
        headers: HeadersInput = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        # The fast path of HTTPError._setup: the status and title are the class's own
        # (``__init_subclass__``), so an instance stores only what varies.
        assert self.__error_status__ is not None
        self.detail = detail = detail or self._default_detail or self.title
        self.headers = [] if headers is None else normalize_headers(headers)
        self.extensions = {} if extensions is None else check_extensions(extensions)
        if code is not None:
            self.code = code
        if cause is not None:
            if not isinstance(cause, BaseException):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(
                    f"{type(self).__name__}(detail, cause): cause must be the exception that "
                    f"caused this error, got {cause!r}; pass headers=, code= and extensions= "
                    "by name"
                )
            self.cause = cause
            self.__cause__ = cause
        args = self.args  # the positional arguments: (detail,) already when detail is given
        if len(args) != 1 or args[0] is not detail:
            Exception.__init__(self, detail)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # every subclass, so a class-level ``title`` or ``status_code`` of a subclass is
        # overridden as an instance's would be
        status = cls.__error_status__
        if status is not None:
            cls.status_code = status
            cls.title = reason_phrase(status)


def _with(extensions: Mapping[str, Any] | None, name: str, value: object) -> dict[str, Any]:
    merged = dict(extensions or {})
    merged[name] = value
    return merged


def _plus(headers: HeadersInput, name: str, value: str) -> list[tuple[str, str]]:
    return [*normalize_headers(headers), (name, value)]


class _ErrorListError(_FixedStatusError):
    """A fixed-status error whose ``errors`` (if given) becomes the ``errors`` extension member."""

    def __init__(
        self,
        detail: str = "",
        cause: BaseException | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: HeadersInput = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        if errors is not None:
            extensions = _with(extensions, "errors", errors)
        super().__init__(detail, cause, headers=headers, code=code, extensions=extensions)


class _RetryAfterError(_FixedStatusError):
    """A fixed-status error whose ``retry_after`` seconds (rounded up) set ``Retry-After``."""

    retry_after: float | None

    def __init__(
        self,
        detail: str = "",
        retry_after: float | None = None,
        cause: BaseException | None = None,
        *,
        headers: HeadersInput = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        self.retry_after = retry_after
        if retry_after is not None:
            headers = _plus(headers, "Retry-After", format_retry_after(retry_after))
        super().__init__(detail, cause, headers=headers, code=code, extensions=extensions)


class BadRequestError(_ErrorListError):
    """400 Bad Request; ``errors`` (if given) becomes the ``errors`` extension member."""

    __error_status__ = 400


class UnauthorizedError(_FixedStatusError):
    """401 Unauthorized; ``www_authenticate`` (e.g. ``'Bearer'``) sets ``WWW-Authenticate``."""

    __error_status__ = 401

    def __init__(
        self,
        detail: str = "",
        cause: BaseException | None = None,
        *,
        www_authenticate: str | None = None,
        headers: HeadersInput = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        if www_authenticate is not None:
            headers = _plus(headers, "WWW-Authenticate", www_authenticate)
        super().__init__(detail, cause, headers=headers, code=code, extensions=extensions)


class ForbiddenError(_FixedStatusError):
    """403 Forbidden."""

    __error_status__ = 403


class NotFoundError(_FixedStatusError):
    """404 Not Found."""

    __error_status__ = 404


class MethodNotAllowedError(_FixedStatusError):
    """405 Method Not Allowed; ``allowed`` methods become the ``Allow`` header."""

    __error_status__ = 405
    allowed: tuple[str, ...]

    def __init__(
        self,
        allowed: Iterable[str],
        detail: str = "",
        cause: BaseException | None = None,
        *,
        headers: HeadersInput = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(allowed, str):
            raise TypeError("allowed must be an iterable of methods, e.g. ['GET', 'POST']")
        self.allowed = tuple(dict.fromkeys(method.upper() for method in allowed))
        headers = _plus(headers, "Allow", ", ".join(self.allowed))
        super().__init__(detail, cause, headers=headers, code=code, extensions=extensions)


class ConflictError(_FixedStatusError):
    """409 Conflict."""

    __error_status__ = 409


class PayloadTooLargeError(_FixedStatusError):
    """413 Content Too Large."""

    __error_status__ = 413


class UnsupportedMediaTypeError(_FixedStatusError):
    """415 Unsupported Media Type."""

    __error_status__ = 415


class UnprocessableEntityError(_ErrorListError):
    """422 Unprocessable Content; ``errors`` becomes the ``errors`` extension member."""

    __error_status__ = 422


class TooManyRequestsError(_RetryAfterError):
    """429 Too Many Requests; ``retry_after`` seconds (rounded up) set ``Retry-After``.

    Positionally: ``TooManyRequestsError(detail, retry_after, cause)``.
    """

    __error_status__ = 429


class InternalServerError(_FixedStatusError):
    """500 Internal Server Error; ``code`` is ``"INTERNAL_SERVER_ERROR"`` unless given.

    Positionally: ``InternalServerError(detail, code, cause)``; ``code=None`` leaves the
    ``code`` member out of the problem.
    """

    __error_status__ = 500

    def __init__(
        self,
        detail: str = "",
        code: str | None = "INTERNAL_SERVER_ERROR",
        cause: BaseException | None = None,
        *,
        headers: HeadersInput = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, cause, headers=headers, code=code, extensions=extensions)


class ServiceUnavailableError(_RetryAfterError):
    """503 Service Unavailable; ``retry_after`` seconds (rounded up) set ``Retry-After``.

    Positionally: ``ServiceUnavailableError(detail, retry_after, cause)``.
    """

    __error_status__ = 503


class ConnectionLimitError(ServiceUnavailableError):
    """503 Service Unavailable because too many connections are active (e.g. SSE streams).

    Positionally: ``ConnectionLimitError(detail, cause)``; ``retry_after`` is by name.
    """

    _default_detail = "Too many active connections"

    def __init__(
        self,
        detail: str = "",
        cause: BaseException | None = None,
        *,
        retry_after: float | None = None,
        headers: HeadersInput = None,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            detail, retry_after, cause, headers=headers, code=code, extensions=extensions
        )
