"""``TimeoutBehaviour``: a time limit per message type."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from typing import Any

from ._errors import MessageTimeoutError, RegistrationError
from ._pipeline import Next


def _check(seconds: float | None, what: str) -> None:
    if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
        raise RegistrationError(
            f"{what} must be a positive number of seconds (or None); got {seconds!r}"
        )


class TimeoutBehaviour:
    """Cancel a handler that runs longer than its limit; raise ``MessageTimeoutError``.

    ``seconds`` is the default limit; ``per_type`` overrides it for some message
    types (and their subclasses); ``None`` means no limit for that type.
    """

    __slots__ = ("_default", "_limits", "_per_type")

    def __init__(
        self,
        seconds: float | None,
        *,
        per_type: Mapping[type[Any], float | None] | None = None,
    ) -> None:
        _check(seconds, "TimeoutBehaviour seconds")
        self._default = seconds
        self._per_type = dict(per_type or {})
        for message_type, limit in self._per_type.items():
            _check(limit, f"the timeout of {message_type.__qualname__}")
        self._limits: dict[type[Any], float | None] = {}

    def limit_for(self, message_type: type[Any]) -> float | None:
        """The limit applied to ``message_type`` (computed once per type)."""
        try:
            return self._limits[message_type]
        except KeyError:
            pass
        limit = self._default
        for klass in message_type.__mro__:
            if klass in self._per_type:
                limit = self._per_type[klass]
                break
        self._limits[message_type] = limit
        return limit

    def applies_to(self, message_type: type[Any]) -> bool:
        return self.limit_for(message_type) is not None

    async def __call__(self, message: Any, next: Next, /) -> Any:
        message_type: type[Any] = message.__class__
        seconds = self.limit_for(message_type)
        if seconds is None:
            return await next(message)
        deadline = asyncio.timeout(seconds)
        try:
            async with deadline:
                return await next(message)
        except TimeoutError as exc:
            if deadline.expired():
                raise MessageTimeoutError(message_type, seconds) from exc
            raise
