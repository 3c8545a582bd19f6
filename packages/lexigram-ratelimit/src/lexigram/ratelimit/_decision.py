"""The answer to one rate-limit check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["RateLimitDecision", "combine", "new_decision"]


class RateLimitDecision(NamedTuple):
    """Whether a hit is allowed, and the state of the limit after it (immutable).

    - ``limit``: the window's capacity (for a multi-window rate, the window that binds:
      the one with the fewest units left);
    - ``remaining``: units still available after this hit;
    - ``reset_after``: seconds until the window's quota is restored, never more than the
      window (for the sliding-window counter, as the sliding window it estimates would be;
      for a GCRA ``burst`` above the limit, until one window's quota is back);
    - ``retry_after``: seconds until the same hit would be allowed (``0.0`` when allowed);
    - ``windows``: one decision per window of a multi-window rate (empty for one window).

    ``bool(decision)`` is ``decision.allowed``.
    """

    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float
    windows: tuple[RateLimitDecision, ...] = ()

    def __bool__(self) -> bool:
        return self[0]

    def __repr__(self) -> str:
        return (
            f"RateLimitDecision(allowed={self.allowed}, limit={self.limit}, "
            f"remaining={self.remaining}, reset_after={self.reset_after:g}, "
            f"retry_after={self.retry_after:g})"
        )


DecisionFields = tuple[bool, int, int, float, float, tuple[RateLimitDecision, ...]]

NewDecision = Callable[[type[RateLimitDecision], DecisionFields], RateLimitDecision]

new_decision: NewDecision = tuple[Any, ...].__new__
"""``new_decision(RateLimitDecision, (allowed, limit, remaining, reset, retry, ()))``: the
hot-path constructor (``tuple.__new__``, skipping the generated ``__new__``)."""


def combine(windows: list[RateLimitDecision]) -> RateLimitDecision:
    """One decision for a multi-window rate: allowed when every window allows."""
    allowed = all(window.allowed for window in windows)
    binding = min(windows, key=lambda w: (w.remaining, -w.reset_after))
    retry = max(window.retry_after for window in windows) if not allowed else 0.0
    return RateLimitDecision(
        allowed, binding.limit, binding.remaining, binding.reset_after, retry, tuple(windows)
    )
