"""The answer to one rate-limit check."""

from __future__ import annotations

__all__ = ["RateLimitDecision"]


class RateLimitDecision:
    """Whether a hit is allowed, and the state of the limit after it.

    - ``limit``: the window's capacity (for a multi-window rate, the window that binds:
      the one with the fewest units left);
    - ``remaining``: units still available after this hit;
    - ``reset_after``: seconds until the window's quota is restored;
    - ``retry_after``: seconds until the same hit would be allowed (``0.0`` when allowed);
    - ``windows``: one decision per window of a multi-window rate (empty for one window).
    """

    __slots__ = ("allowed", "limit", "remaining", "reset_after", "retry_after", "windows")

    allowed: bool
    limit: int
    remaining: int
    reset_after: float
    retry_after: float
    windows: tuple[RateLimitDecision, ...]

    def __init__(
        self,
        allowed: bool,
        limit: int,
        remaining: int,
        reset_after: float,
        retry_after: float,
        windows: tuple[RateLimitDecision, ...] = (),
    ) -> None:
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.reset_after = reset_after
        self.retry_after = retry_after
        self.windows = windows

    def __bool__(self) -> bool:
        return self.allowed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RateLimitDecision):
            return NotImplemented
        return (
            self.allowed == other.allowed
            and self.limit == other.limit
            and self.remaining == other.remaining
            and self.reset_after == other.reset_after
            and self.retry_after == other.retry_after
            and self.windows == other.windows
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"RateLimitDecision(allowed={self.allowed}, limit={self.limit}, "
            f"remaining={self.remaining}, reset_after={self.reset_after:g}, "
            f"retry_after={self.retry_after:g})"
        )


def combine(windows: list[RateLimitDecision]) -> RateLimitDecision:
    """One decision for a multi-window rate: allowed when every window allows."""
    allowed = all(window.allowed for window in windows)
    binding = min(windows, key=lambda w: (w.remaining, -w.reset_after))
    retry = max(window.retry_after for window in windows) if not allowed else 0.0
    return RateLimitDecision(
        allowed, binding.limit, binding.remaining, binding.reset_after, retry, tuple(windows)
    )
