"""Render any exception to a problem+json status, headers and body, never failing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Final, NamedTuple

from . import _json
from ._describe import http_error_members, members_of, status_of
from ._headers import encode_headers
from ._http_error import HTTPError, Redirect
from ._members import GENERIC_5XX_DETAIL, check_extensions
from ._problem import PROBLEM_JSON, ProblemDetail
from ._status_map import ErrorStatusMap

__all__ = [
    "RenderedError",
    "error_headers",
    "fallback_response",
    "problem_from_exception",
    "render_exception",
    "render_problem",
]

logger = logging.getLogger("lexigram.http_errors")

_CONTENT_TYPE: Final = (b"content-type", PROBLEM_JSON.encode("latin-1"))
_EMPTY_LENGTH: Final = (b"content-length", b"0")
_FALLBACK_BODY: Final = _json.dumps_stdlib(
    {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": GENERIC_5XX_DETAIL,
    }
)
_FALLBACK_LENGTH: Final = (b"content-length", str(len(_FALLBACK_BODY)).encode("ascii"))


class RenderedError(NamedTuple):
    """A response ready for the wire.

    Its status, ASGI raw headers (with content-type and content-length) and body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def fallback_response() -> RenderedError:
    """The response used when rendering itself fails: a generic 500 problem."""
    return RenderedError(500, [_CONTENT_TYPE, _FALLBACK_LENGTH], _FALLBACK_BODY)


def _encode(data: dict[str, Any]) -> bytes:
    try:
        return _json.dumps(data)
    except Exception:  # e.g. lone surrogates, ints beyond 64 bits, NaN
        return _json.dumps_ascii(data)


def _build(
    exc: BaseException,
    status_map: ErrorStatusMap | None,
    debug: bool,
    instance: str | None,
    request_id: str | None,
    extensions: Mapping[str, Any] | None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    status = status_of(exc, status_map)
    data, headers = members_of(exc, status, debug, instance)
    if request_id is not None:
        data.setdefault("request_id", request_id)
    if extensions:
        for name, value in check_extensions(extensions).items():
            data.setdefault(name, value)
    return status, headers, _encode(data)


def _render_http_error(
    exc: HTTPError,
    instance: str | None,
    request_id: str | None,
    extensions: Mapping[str, Any] | None,
) -> RenderedError:
    """``_build`` and ``members_of`` in one step for an ``HTTPError`` rendered without debug
    members: the same members in the same order, the same headers."""
    data = http_error_members(exc, instance)
    if request_id is not None:
        data.setdefault("request_id", request_id)
    if extensions:
        for name, value in check_extensions(extensions).items():
            data.setdefault(name, value)
    try:
        body = _json.dumps(data)
    except Exception:  # e.g. lone surrogates, ints beyond 64 bits, NaN
        body = _json.dumps_ascii(data)
    raw = [_CONTENT_TYPE, (b"content-length", str(len(body)).encode("ascii"))]
    if exc.headers:
        raw.extend(encode_headers(exc.headers))
    return RenderedError(exc.status_code, raw, body)


def render_exception(
    exc: BaseException,
    *,
    status_map: ErrorStatusMap | None = None,
    debug: bool = False,
    instance: str | None = None,
    request_id: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> RenderedError:
    """The problem+json response for ``exc``, with raw headers ready for ASGI.

    The status is the ``HTTPError``'s own, else ``status_map``'s (or the default map's), else
    500. ``HTTPError.headers`` are sent verbatim after content-type and content-length. A
    ``Redirect`` renders with its ``Location`` and an empty body. If rendering fails for any
    reason, the result is a generic 500 problem; this function never raises.
    """
    try:
        if isinstance(exc, HTTPError):
            if isinstance(exc, Redirect):
                return RenderedError(
                    exc.status_code, [*encode_headers(exc.headers), _EMPTY_LENGTH], b""
                )
            if not (debug and exc.status_code >= 500):
                return _render_http_error(exc, instance, request_id, extensions)
        status, headers, body = _build(exc, status_map, debug, instance, request_id, extensions)
        raw = [_CONTENT_TYPE, (b"content-length", str(len(body)).encode("ascii"))]
        if headers:
            raw.extend(encode_headers(headers))
        return RenderedError(status, raw, body)
    except Exception:
        logger.exception("rendering %s failed; answering a generic 500", type(exc).__name__)
        return fallback_response()


def problem_from_exception(
    exc: BaseException,
    *,
    status_map: ErrorStatusMap | None = None,
    debug: bool = False,
    instance: str | None = None,
    request_id: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Like ``render_exception``, with ``str`` headers.

    ``content-type`` comes first, then the error's own headers; there is no
    ``content-length`` (the response class adds it)."""
    try:
        if isinstance(exc, Redirect):
            return exc.status_code, list(exc.headers), b""
        status, headers, body = _build(exc, status_map, debug, instance, request_id, extensions)
        return status, [("content-type", PROBLEM_JSON), *headers], body
    except Exception:
        logger.exception("rendering %s failed; answering a generic 500", type(exc).__name__)
        return 500, [("content-type", PROBLEM_JSON)], _FALLBACK_BODY


def render_problem(
    problem: ProblemDetail, headers: Iterable[tuple[str, str]] | None = None
) -> RenderedError:
    """``problem`` as a response (status 500 when it has none); never raises."""
    try:
        body = _encode(problem.to_dict())
        raw = [_CONTENT_TYPE, (b"content-length", str(len(body)).encode("ascii"))]
        if headers:
            raw.extend(encode_headers(headers))
        return RenderedError(problem.status or 500, raw, body)
    except Exception:
        logger.exception("rendering a ProblemDetail failed; answering a generic 500")
        return fallback_response()


def error_headers(exc: BaseException) -> list[tuple[str, str]]:
    """The headers an exception brings with it (an ``HTTPError``'s own), else none."""
    return exc.headers if isinstance(exc, HTTPError) else []
