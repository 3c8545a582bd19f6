"""Logging unexpected server errors without letting a repeating failure flood the log.

The first failure of each (exception type, route) in an interval is logged with its
traceback; the repeats are counted and the count is reported with the next traceback. One
``ServerErrorLog`` belongs to one app (no state shared between apps).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from lexigram.http_errors import HTTPError

from .response_model import ResponseValidationError

__all__ = ["ServerErrorLog"]

_log = logging.getLogger("lexigram.web")
_MAX_KEYS = 1024


class ServerErrorLog:
    """Rate-limited logging of 5xx failures (see the module docstring).

    An ``HTTPError`` the app raised on purpose (a 503 connection limit, ...) is a WARNING
    without a traceback; an answer that does not match the route's response model an ERROR
    in one line naming the route and the fields; anything else an ERROR with its traceback.
    """

    __slots__ = ("_clock", "_seen", "interval")

    def __init__(
        self, interval: float = 60.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if interval < 0:
            raise ValueError("the error log interval is in seconds and cannot be negative")
        self.interval = interval
        self._clock = clock
        self._seen: dict[tuple[type[BaseException], str, str], list[float]] = {}

    def log(self, exc: BaseException, status: int, method: str, route: str) -> None:
        """Log ``exc`` (answered with ``status``) for ``method`` ``route`` (a route template
        or a fixed label, never the raw request path, so the keys stay bounded)."""
        key = (type(exc), method, route)
        now = self._clock()
        seen = self._seen
        entry = seen.get(key)
        if entry is not None and now - entry[0] < self.interval:
            entry[1] += 1
            return
        if entry is None and len(seen) >= _MAX_KEYS:
            seen.clear()
        suppressed = int(entry[1]) if entry is not None else 0
        seen[key] = [now, 0]
        more = f" ({suppressed} more since the last report)" if suppressed else ""
        if isinstance(exc, ResponseValidationError):
            _log.error("%s %s answered %d: %s%s", method, route, status, exc, more)
            return
        if isinstance(exc, HTTPError):
            detail = f": {exc.detail}" if exc.detail else ""
            _log.warning(
                "%s %s answered %d (%s%s)%s", method, route, status, type(exc).__name__,
                detail, more,
            )  # fmt: skip
            return
        _log.error("unhandled %s in %s %s%s", type(exc).__name__, method, route, more,
                   exc_info=exc)  # fmt: skip
