"""The shapes of Redis Streams data: consumer settings, entry fields, replies, error text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from ._integration import Envelope


@dataclass(frozen=True, slots=True)
class Settings:
    stream: str
    dead_letter_stream: str
    maxlen: int
    max_deliveries: int
    claim_idle: float
    batch_size: int
    block: float
    timeout: float
    reconnect_max_backoff: float
    group_start: str


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def envelope_of(fields: dict[Any, Any]) -> Envelope | None:
    try:
        data = fields[b"data"]
        message_id = text(fields[b"id"])
        correlation = fields.get(b"correlation")
        causation = fields.get(b"causation")
        return Envelope(
            text(fields[b"name"]),
            data if isinstance(data, bytes) else str(data).encode(),
            message_id,
            message_id if correlation is None else text(correlation),
            (text(causation) or None) if causation is not None else None,
            text(fields.get(b"time", b"")),
        )
    except KeyError:
        return None


def describe(exc: BaseException) -> str:
    """``Type: message``; for a group (``PublishError``), its message and each inner error."""
    if isinstance(exc, BaseExceptionGroup):
        group = cast("BaseExceptionGroup[BaseException]", exc)
        inner = "; ".join(describe(e) for e in group.exceptions)
        return f"{type(group).__name__}: {group.message} [{inner}]"
    return f"{type(exc).__name__}: {exc}"


def entries_of(reply: Any) -> list[Any]:
    """``[(id, fields), ...]`` from an XREADGROUP reply (RESP2 list or RESP3 dict)."""
    if not reply:
        return []
    streams: list[Any]
    if isinstance(reply, dict):
        mapping: dict[Any, Any] = reply  # pyright: ignore[reportUnknownVariableType]
        streams = list(mapping.values())
    else:
        streams = [item[1] for item in reply]
    found: list[Any] = []
    for entries in streams:
        found.extend(entries[0] if entries and isinstance(entries[0], list) else entries)
    return found
