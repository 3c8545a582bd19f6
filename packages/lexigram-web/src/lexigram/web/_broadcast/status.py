"""``BroadcastStatus``: what a broadcaster reports to the health probes."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BroadcastStatus"]


@dataclass(frozen=True, slots=True)
class BroadcastStatus:
    """``connected``: messages reach the other processes now (always true in memory);
    ``detail``: one line for people; ``counters``: dropped messages, reconnections, ..."""

    backend: str
    connected: bool
    detail: str
    counters: dict[str, int | str] = field(default_factory=dict[str, "int | str"])
