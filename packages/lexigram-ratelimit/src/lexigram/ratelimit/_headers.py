"""Rate-limit response headers in three dialects, plus ``Retry-After`` on denials.

- ``"ietf"`` (default): the structured fields of the IETF httpapi draft
  (``RateLimit-Policy: "default";q=100;w=60`` and ``RateLimit: "default";r=42;t=30``);
- ``"draft06"``: ``RateLimit-Limit`` / ``RateLimit-Remaining`` / ``RateLimit-Reset`` and the
  draft-06 ``RateLimit-Policy: 100;w=60``;
- ``"x-ratelimit"``: ``X-RateLimit-Limit`` / ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset``
  (the reset as delta seconds);
- ``"none"``: only ``Retry-After`` on a denial.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

from ._decision import RateLimitDecision
from ._rate import Rate

__all__ = ["HeaderDialect", "RateLimitHeaders", "retry_after_value"]

HeaderDialect = Literal["ietf", "draft06", "x-ratelimit", "none"]


def _seconds(value: float, window: int) -> str:
    """``value`` rounded up to whole seconds, never above ``window`` (microsecond and float
    rounding may put a reset a hair above the window it belongs to)."""
    return str(min(math.ceil(value), window)) if value > 0 else "0"


def retry_after_value(decision: RateLimitDecision) -> str:
    """``Retry-After`` in whole seconds, at least 1."""
    return str(max(1, math.ceil(decision.retry_after)))


def _sf_string(name: str) -> str:
    if not name or any(not (" " <= ch <= "~") for ch in name):
        raise ValueError(
            f"rate-limit policy name {name!r} must be non-empty printable ASCII "
            "(it is sent as a structured-field string)"
        )
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RateLimitHeaders:
    """Renders the headers of one rate; the static parts are computed once."""

    __slots__ = ("_dialect", "_longest", "_names", "_on_allowed", "_policy", "_single", "_windows")

    def __init__(
        self,
        rate: Rate,
        dialect: HeaderDialect = "ietf",
        *,
        name: str = "default",
        on_allowed: bool = True,
    ) -> None:
        if dialect not in get_args(HeaderDialect):
            accepted = ", ".join(repr(d) for d in get_args(HeaderDialect))
            raise ValueError(
                f"unknown rate-limit header dialect {dialect!r}: use one of {accepted}"
            )
        self._dialect: HeaderDialect = dialect
        self._on_allowed = on_allowed
        self._single = len(rate.items) == 1
        self._windows = tuple(item.seconds for item in rate.items)
        self._longest = max(self._windows)
        self._names: tuple[str, ...]
        if self._single:
            self._names = (_sf_string(name),)
        else:
            self._names = tuple(_sf_string(f"{name}-{item.seconds}s") for item in rate.items)
        if dialect == "ietf":
            self._policy = ", ".join(
                f"{label};q={item.amount};w={item.seconds}"
                for label, item in zip(self._names, rate.items, strict=True)
            )
        else:
            self._policy = ", ".join(f"{item.amount};w={item.seconds}" for item in rate.items)

    @property
    def dialect(self) -> HeaderDialect:
        return self._dialect

    def __call__(self, decision: RateLimitDecision) -> list[tuple[str, str]]:
        """The headers for ``decision`` (empty for an allowed one when ``on_allowed`` is off)."""
        allowed = decision.allowed
        if allowed and not self._on_allowed:
            return []
        dialect = self._dialect
        if dialect == "ietf":
            if self._single or not decision.windows:
                reset = _seconds(decision.reset_after, self._windows[0])
                state = f"{self._names[0]};r={decision.remaining};t={reset}"
            else:
                state = ", ".join(
                    f"{label};r={window.remaining};t={_seconds(window.reset_after, seconds)}"
                    for label, window, seconds in zip(
                        self._names, decision.windows, self._windows, strict=True
                    )
                )
            headers = [("RateLimit-Policy", self._policy), ("RateLimit", state)]
        elif dialect == "draft06":
            headers = [
                ("RateLimit-Limit", str(decision.limit)),
                ("RateLimit-Remaining", str(decision.remaining)),
                ("RateLimit-Reset", _seconds(decision.reset_after, self._longest)),
                ("RateLimit-Policy", self._policy),
            ]
        elif dialect == "x-ratelimit":
            headers = [
                ("X-RateLimit-Limit", str(decision.limit)),
                ("X-RateLimit-Remaining", str(decision.remaining)),
                ("X-RateLimit-Reset", _seconds(decision.reset_after, self._longest)),
            ]
        else:
            headers = []
        if not allowed:
            headers.append(("Retry-After", retry_after_value(decision)))
        return headers
