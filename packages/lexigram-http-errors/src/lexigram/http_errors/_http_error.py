"""``HTTPError``: an exception that carries the response it should become."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Final
from urllib.parse import quote

from ._headers import HeadersInput, normalize_headers
from ._members import check_extensions, check_status
from .status import reason_phrase

__all__ = ["HTTPError", "Redirect", "format_retry_after"]

_REDIRECT_CODES: Final = frozenset({301, 302, 303, 307, 308})
# Characters that may stay as they are in a Location value; the rest is percent-encoded.
_URL_SAFE: Final = ":/%#?=@[]!$&'()*+,;~"


def _rebuild(cls: type[HTTPError], args: tuple[Any, ...], state: dict[str, Any]) -> HTTPError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def format_retry_after(retry_after: float) -> str:
    """A ``Retry-After`` value in whole seconds, rounded up.

    Raises ``ValueError`` when ``retry_after`` is negative or not finite.
    """
    if isinstance(retry_after, bool) or not isinstance(retry_after, int | float):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"retry_after must be a number of seconds, got {retry_after!r}")
    if not math.isfinite(retry_after) or retry_after < 0:
        raise ValueError(
            f"retry_after must be a finite number of seconds >= 0, got {retry_after!r}"
        )
    return str(math.ceil(retry_after))


class HTTPError(Exception):
    """An error that becomes an ``application/problem+json`` response with ``status_code``.

    ``detail`` defaults to the reason phrase, as does ``title``. ``headers`` is a dict or a
    list of pairs (a name may repeat, e.g. two ``Set-Cookie``) and is kept as a list of pairs.
    ``code`` is an application error code rendered as the ``code`` extension member;
    ``cause`` becomes ``__cause__``. The detail is meant for the client and is rendered as
    given, also for 5xx: put internal information in ``cause``, never in ``detail``.
    """

    __error_status__: ClassVar[int | None] = None

    status_code: int
    detail: str
    headers: list[tuple[str, str]]
    title: str
    extensions: dict[str, Any]
    # Class-level defaults: an instance stores these only when they differ.
    code: str | None = None
    cause: BaseException | None = None
    type: str = "about:blank"

    def __init__(
        self,
        status_code: int,
        detail: str = "",
        headers: HeadersInput = None,
        code: str | None = None,
        cause: BaseException | None = None,
        *,
        title: str | None = None,
        type: str = "about:blank",  # the RFC 9457 member name
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        self._setup(
            check_status(status_code, 400, 599, "HTTPError status_code"),
            detail,
            normalize_headers(headers),
            code,
            cause,
            title,
            type,
            check_extensions(extensions),
        )

    def _setup(
        self,
        status: int,
        detail: str,
        headers: list[tuple[str, str]],
        code: str | None,
        cause: BaseException | None,
        title: str | None,
        problem_type: str,
        extensions: dict[str, Any],
    ) -> None:
        self.status_code = status
        self.title = reason_phrase(status) if title is None else title
        self.detail = detail or self.title
        self.headers = headers
        self.extensions = extensions
        if code is not None:
            self.code = code
        if cause is not None:
            self.cause = cause
            self.__cause__ = cause
        if problem_type != "about:blank":
            self.type = problem_type
        super().__init__(self.detail)

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        """The ``errors`` extension member (validation errors), if any."""
        errors: list[dict[str, Any]] | None = self.extensions.get("errors")
        return errors

    def __str__(self) -> str:
        head = f"{self.status_code} {self.title}"
        return head if self.detail == self.title else f"{head}: {self.detail}"

    def __repr__(self) -> str:
        parts = [f"status_code={self.status_code}", f"detail={self.detail!r}"]
        if self.headers:
            parts.append(f"headers={self.headers!r}")
        if self.code is not None:
            parts.append(f"code={self.code!r}")
        if self.extensions:
            parts.append(f"extensions={self.extensions!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class Redirect(HTTPError):
    """Answer with a redirect to ``url`` (301, 302, 303, 307 or 308) and an empty body."""

    url: str

    def __init__(self, url: str, status_code: int = 302, *, headers: HeadersInput = None) -> None:
        if status_code not in _REDIRECT_CODES or isinstance(status_code, bool):
            raise ValueError(
                f"Redirect status_code must be one of 301, 302, 303, 307, 308, got {status_code!r}"
            )
        if not isinstance(url, str) or not url:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError("Redirect url must be a non-empty string such as '/login'")
        if "\r" in url or "\n" in url or "\x00" in url:
            raise ValueError("Redirect url contains CR, LF or NUL: remove them (header injection)")
        location = quote(url, safe=_URL_SAFE)
        pairs = [("Location", location), *normalize_headers(headers)]
        self._setup(int(status_code), "", pairs, None, None, None, "about:blank", {})
        self.url = location

    def __str__(self) -> str:
        return f"{self.status_code} {self.title}: {self.url}"

    def __repr__(self) -> str:
        return f"Redirect(url={self.url!r}, status_code={self.status_code})"
