"""``LoggingBehaviour``: one log line per handled message, with its duration."""

from __future__ import annotations

import logging
import time
from typing import Any

from ._messages import metadata_of
from ._pipeline import Next


def is_err_result(result: object) -> bool:
    """Whether ``result`` is a result-like error value (``is_err()`` returns True)."""
    is_err = getattr(result, "is_err", None)
    return callable(is_err) and is_err() is True


class LoggingBehaviour:
    """Log each message: its type, id, correlation id and duration.

    Success (and an error ``Result``) is logged at ``level``, a raised exception
    at ``failure_level`` with its traceback; the exception is re-raised.
    """

    __slots__ = ("_failure_level", "_level", "_logger")

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        level: int = logging.DEBUG,
        failure_level: int = logging.ERROR,
    ) -> None:
        self._logger = logger or logging.getLogger("lexigram.cqrs")
        self._level = level
        self._failure_level = failure_level

    async def __call__(self, message: Any, next: Next, /) -> Any:
        logger = self._logger
        start = time.perf_counter()
        try:
            result = await next(message)
        except Exception as exc:
            if logger.isEnabledFor(self._failure_level):
                logger.log(
                    self._failure_level,
                    "%s failed after %.3f ms: %s: %s",
                    type(message).__qualname__,
                    (time.perf_counter() - start) * 1000,
                    type(exc).__name__,
                    exc,
                    exc_info=exc,
                    extra=_extra(message),
                )
            raise
        if logger.isEnabledFor(self._level):
            logger.log(
                self._level,
                "%s handled in %.3f ms%s",
                type(message).__qualname__,
                (time.perf_counter() - start) * 1000,
                " (error result)" if is_err_result(result) else "",
                extra=_extra(message),
            )
        return result


def _extra(message: object) -> dict[str, Any]:
    extra: dict[str, Any] = {"message_type": type(message).__qualname__}
    try:
        metadata = metadata_of(message)
    except TypeError:  # a message without __dict__ carries no metadata
        return extra
    extra["message_id"] = metadata.message_id
    extra["correlation_id"] = metadata.correlation_id
    extra["causation_id"] = metadata.causation_id
    return extra
