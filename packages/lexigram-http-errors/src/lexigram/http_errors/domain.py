"""Domain errors: raise or return these from services that know nothing about HTTP.

The HTTP layer maps them to status codes with an ``ErrorStatusMap``
(defaults: not found 404, validation 422, permission denied and authorization 403,
authentication 401, conflict 409, rate limit 429, any other ``DomainError`` 400). The message
is client-facing: it becomes the problem's ``detail`` for 4xx statuses.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "AuthenticationError",
    "AuthorizationError",
    "ConflictError",
    "DomainError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ValidationError",
]


class DomainError(Exception):
    """Base of the domain errors: a client-facing ``message`` and an optional ``code``."""

    default_message: str = "The request could not be processed"

    message: str
    code: str | None

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        self.message = message or self.default_message
        self.code = code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        code = "" if self.code is None else f", code={self.code!r}"
        return f"{type(self).__name__}({self.message!r}{code})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(cls: type[DomainError], args: tuple[Any, ...], state: dict[str, Any]) -> DomainError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class NotFoundError(DomainError):
    """Something the caller asked for does not exist.

    ``NotFoundError(resource="User", identifier=42)`` reads "User '42' not found".
    """

    default_message = "Resource not found"
    resource: str | None
    identifier: object

    def __init__(
        self,
        message: str = "",
        *,
        resource: str | None = None,
        identifier: object = None,
        code: str | None = None,
    ) -> None:
        self.resource = resource
        self.identifier = identifier
        if not message and resource is not None:
            suffix = "" if identifier is None else f" '{identifier}'"
            message = f"{resource}{suffix} not found"
        super().__init__(message, code=code)


class ValidationError(DomainError):
    """Input broke a rule; ``errors`` lists the failures (``{"loc": [...], "msg": ..., ...}``)."""

    default_message = "Validation failed"
    errors: list[dict[str, Any]]

    def __init__(
        self,
        message: str = "",
        *,
        errors: list[dict[str, Any]] | None = None,
        code: str | None = None,
    ) -> None:
        self.errors = list(errors) if errors is not None else []
        super().__init__(message, code=code)


class PermissionDeniedError(DomainError):
    """The caller is known but may not do this."""

    default_message = "Permission denied"


class AuthorizationError(DomainError):
    """An authorization policy refused the operation."""

    default_message = "Not authorized"


class AuthenticationError(DomainError):
    """The caller could not be identified (missing or bad credentials)."""

    default_message = "Authentication required"


class ConflictError(DomainError):
    """The operation conflicts with the current state (duplicate, stale version...)."""

    default_message = "Conflict with the current state"


class RateLimitError(DomainError):
    """Too many operations; ``retry_after`` is the number of seconds to wait, if known."""

    default_message = "Rate limit exceeded"
    retry_after: float | None

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        if retry_after is not None and (not math.isfinite(retry_after) or retry_after < 0):
            raise ValueError(
                f"retry_after must be a finite number of seconds >= 0, got {retry_after!r}"
            )
        self.retry_after = retry_after
        super().__init__(message, code=code)
