"""Turn any exception into problem members and headers (the one place that decides)."""

from __future__ import annotations

import traceback
from typing import Any

from . import domain
from ._http_error import HTTPError, format_retry_after
from ._members import GENERIC_5XX_DETAIL
from ._status_map import ErrorStatusMap
from .status import reason_phrase

__all__ = ["debug_members", "http_error_members", "members_of", "status_of"]

# The statuses used when no map is given: never registered on, so it only memoises the
# defaults and the classes' own declarations.
_DEFAULTS = ErrorStatusMap()


def status_of(exc: BaseException, status_map: ErrorStatusMap | None) -> int:
    """The status ``exc`` renders with: its own, the map's, a default, else 500."""
    if isinstance(exc, HTTPError):
        return exc.status_code
    status = (_DEFAULTS if status_map is None else status_map).lookup(type(exc))
    return 500 if status is None else status


def debug_members(exc: BaseException) -> dict[str, Any]:
    """The ``exception`` (qualified type name) and ``traceback`` (lines) debug members."""
    kind = type(exc)
    lines = "".join(traceback.format_exception(exc)).splitlines()
    return {"exception": f"{kind.__module__}.{kind.__qualname__}", "traceback": lines}


def http_error_members(exc: HTTPError, instance: str | None) -> dict[str, Any]:
    """An ``HTTPError``'s problem members: the standard ones, ``instance``, its ``code``,
    then its extensions (a standard member is never replaced)."""
    data: dict[str, Any] = {
        "type": exc.type,
        "title": exc.title,
        "status": exc.status_code,
        "detail": exc.detail,
    }
    if instance is not None:
        data["instance"] = instance
    if exc.code is not None:
        data["code"] = exc.code
    own = exc.extensions
    if own:
        for name, value in own.items():
            data.setdefault(name, value)
    return data


def members_of(
    exc: BaseException, status: int, debug: bool, instance: str | None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Problem members (standard first, then extensions) and extra headers for ``exc``."""
    if isinstance(exc, HTTPError):
        members = http_error_members(exc, instance)
        if debug and status >= 500:
            members.update(debug_members(exc))
        return members, exc.headers
    title = reason_phrase(status)
    headers: list[tuple[str, str]] = []
    if isinstance(exc, domain.RateLimitError) and exc.retry_after is not None:
        headers.append(("Retry-After", format_retry_after(exc.retry_after)))
    if status >= 500 and not debug:
        data: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
        data["detail"] = GENERIC_5XX_DETAIL
        if instance is not None:
            data["instance"] = instance
        return data, headers
    text = str(exc)
    if status >= 500:
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    data = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": text or title,
    }
    if instance is not None:
        data["instance"] = instance
    if isinstance(exc, domain.DomainError):
        if exc.code is not None:
            data["code"] = exc.code
        if isinstance(exc, domain.ValidationError):
            data["errors"] = exc.errors
    if status >= 500:
        data.update(debug_members(exc))
    return data, headers
