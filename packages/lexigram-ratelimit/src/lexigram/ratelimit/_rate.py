"""Rate strings: ``"30/minute"``, ``"5 per hour"``, ``"10/second;1000/day"``."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Rate", "RateItem", "parse_rate"]

_PERIODS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86_400,
    "day": 86_400,
    "w": 604_800,
    "week": 604_800,
    "month": 2_592_000,
    "year": 31_536_000,
}
_CANONICAL: dict[int, str] = {
    1: "second",
    60: "minute",
    3600: "hour",
    86_400: "day",
    604_800: "week",
    2_592_000: "month",
    31_536_000: "year",
}
_ITEM = re.compile(r"^\s*(\d+)\s*(?:/|\s+per\s+)\s*(\d+)?\s*([a-z]+)\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"[;,]")

FORMAT_HINT = (
    "expected '<count>/<period>' or '<count> per <period>', several joined with ';' "
    "(e.g. '30/minute', '5 per hour', '10/second;1000/day', '100/5 minutes'); "
    "periods: second, minute, hour, day, week, month, year"
)


@dataclass(frozen=True, slots=True)
class RateItem:
    """One window of a rate: at most ``amount`` units of cost per ``seconds``."""

    amount: int
    seconds: int

    def __post_init__(self) -> None:
        if self.amount < 1 or self.seconds < 1:
            raise ValueError(
                f"a rate needs a count >= 1 and a window >= 1 second, got "
                f"{self.amount} per {self.seconds}s"
            )

    def __str__(self) -> str:
        name = _CANONICAL.get(self.seconds)
        if name is not None:
            return f"{self.amount}/{name}"
        return f"{self.amount}/{self.seconds} seconds"


@dataclass(frozen=True, slots=True)
class Rate:
    """A parsed rate: one or more windows, all of which must allow a hit."""

    items: tuple[RateItem, ...]

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError(f"a rate needs at least one window: {FORMAT_HINT}")

    @classmethod
    def parse(cls, text: str | Rate) -> Rate:
        """Parse a rate string (a ``Rate`` is returned as is); ``ValueError`` when malformed."""
        return parse_rate(text)

    def __str__(self) -> str:
        return ";".join(str(item) for item in self.items)


def _period_seconds(period: str) -> int | None:
    unit = _PERIODS.get(period)
    if unit is None and len(period) > 2 and period.endswith("s"):
        unit = _PERIODS.get(period[:-1])  # plural: "minutes", "hours", "secs"
    return unit


def parse_rate(text: str | Rate) -> Rate:
    """Parse ``"30/minute"``, ``"5 per hour"`` or ``"10/second;1000/day"`` into a ``Rate``."""
    if isinstance(text, Rate):
        return text
    if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"a rate is a string such as '30/minute', got {type(text).__name__}")
    items: list[RateItem] = []
    for part in _SEPARATOR.split(text):
        match = _ITEM.match(part)
        if match is None:
            raise ValueError(f"invalid rate {text!r}: {FORMAT_HINT}")
        count, multiple, period = match.groups()
        unit = _period_seconds(period.lower())
        if unit is None:
            raise ValueError(f"invalid rate {text!r}: unknown period {period!r}; {FORMAT_HINT}")
        seconds = unit * (int(multiple) if multiple else 1)
        if int(count) < 1 or seconds < 1:
            raise ValueError(f"invalid rate {text!r}: count and period must be >= 1; {FORMAT_HINT}")
        items.append(RateItem(int(count), seconds))
    seen = {item.seconds for item in items}
    if len(seen) != len(items):
        raise ValueError(f"invalid rate {text!r}: two windows of the same length; {FORMAT_HINT}")
    items.sort(key=lambda item: item.seconds)
    return Rate(tuple(items))
