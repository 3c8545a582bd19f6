"""``RetryBehaviour``: retry failed handlers, only for messages marked idempotent."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from ._errors import MessageValidationError, RegistrationError
from ._messages import is_idempotent
from ._pipeline import Next


class RetryBehaviour:
    """Retry a failing handler up to ``attempts`` times in all, with exponential backoff.

    Applies only to message types marked with ``@idempotent`` (decided once per
    type): retrying anything else could apply a change twice. ``retry_on`` selects
    the exceptions worth retrying; ``give_up_on`` (validation errors by default)
    are raised at once. The last exception is raised with a note of the attempts.
    """

    __slots__ = ("_attempts", "_backoff", "_delay", "_give_up_on", "_max_delay", "_retry_on")

    def __init__(
        self,
        attempts: int = 3,
        *,
        delay: float = 0.05,
        backoff: float = 2.0,
        max_delay: float = 2.0,
        retry_on: tuple[type[BaseException], ...] = (Exception,),
        give_up_on: tuple[type[BaseException], ...] = (MessageValidationError,),
    ) -> None:
        if attempts < 1:
            raise RegistrationError(f"RetryBehaviour attempts must be at least 1; got {attempts}")
        for name, value in (("delay", delay), ("max_delay", max_delay)):
            if not (value >= 0 and math.isfinite(value)):
                raise RegistrationError(f"RetryBehaviour {name} must be >= 0; got {value!r}")
        if backoff < 1:
            raise RegistrationError(f"RetryBehaviour backoff must be >= 1; got {backoff!r}")
        self._attempts = attempts
        self._delay = delay
        self._backoff = backoff
        self._max_delay = max_delay
        self._retry_on = retry_on
        self._give_up_on = give_up_on

    def applies_to(self, message_type: type[Any]) -> bool:
        return self._attempts > 1 and is_idempotent(message_type)

    async def __call__(self, message: Any, next: Next, /) -> Any:
        delay = self._delay
        attempt = 1
        while True:
            try:
                return await next(message)
            except self._retry_on as exc:
                if attempt >= self._attempts or isinstance(exc, self._give_up_on):
                    if attempt > 1:
                        name = type(message).__qualname__
                        exc.add_note(f"{name} failed {attempt} times; not retried again")
                    raise
            if delay:
                await asyncio.sleep(delay)
                delay = min(delay * self._backoff, self._max_delay)
            attempt += 1
