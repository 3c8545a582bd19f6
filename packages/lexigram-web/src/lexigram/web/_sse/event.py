"""``ServerSentEvent`` and the ``text/event-stream`` framing.

One event is a block of ``field: value`` lines ended by a blank line. ``data`` spanning several
lines becomes one ``data:`` line per line (the client joins them back with ``\\n``); ``event``
and ``id`` must be single lines (``id`` without NUL, as the client would ignore it); ``retry``
is a whole number of milliseconds. A comment (``: text``) keeps a connection alive without
dispatching anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from .._http.json import dumps

__all__ = ["ServerSentEvent", "encode_comment", "encode_event"]

_LINE_BREAKS: Final = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    return _LINE_BREAKS.split(text)


def _single_line(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"the event's {name} must be one line, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One server-sent event.

    ``data``: a ``str`` is sent as is (line breaks allowed), ``bytes`` are decoded as UTF-8,
    anything else (dict, list, pydantic model, number, ...) is JSON-encoded; ``None`` sends no
    ``data`` line. ``event``: the event type (the client's ``addEventListener`` name; absent
    means ``message``). ``id``: the id the client echoes as ``Last-Event-ID`` when it
    reconnects. ``retry``: the client's reconnection delay in milliseconds. ``comment``: a
    comment line sent with the event (ignored by clients).
    """

    data: Any = None
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        if self.event is not None:
            _single_line("event", self.event)
        if self.id is not None:
            _single_line("id", self.id)
            if "\x00" in self.id:
                raise ValueError("the event's id must not contain NUL")
        retry: Any = self.retry
        if retry is not None and (type(retry) is not int or retry < 0):
            raise ValueError(
                f"retry must be a whole number of milliseconds >= 0, not {self.retry!r}"
            )

    def encode(self) -> bytes:
        """The event as ``text/event-stream`` bytes (ending with the blank line)."""
        parts: list[str] = []
        if self.comment is not None:
            parts.extend(f": {line}\n" for line in _lines(self.comment))
        if self.id is not None:
            parts.append(f"id: {self.id}\n")
        if self.event is not None:
            parts.append(f"event: {self.event}\n")
        if self.retry is not None:
            parts.append(f"retry: {self.retry}\n")
        if self.data is not None:
            parts.extend(f"data: {line}\n" for line in _lines(_data_text(self.data)))
        parts.append("\n")
        return "".join(parts).encode("utf-8")


def _data_text(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray):
        return bytes(data).decode("utf-8")
    return dumps(data).decode("utf-8")


def encode_event(item: Any) -> bytes:
    """A ``ServerSentEvent`` encoded; any other value is the data of an unnamed event."""
    if isinstance(item, ServerSentEvent):
        return item.encode()
    if isinstance(item, str) and "\r" not in item and "\n" not in item:
        return f"data: {item}\n\n".encode()
    if item is None:
        return b"data: null\n\n"
    return ServerSentEvent(data=item).encode()


def encode_comment(text: str) -> bytes:
    """A comment block (``: text``), used for heartbeats."""
    return "".join(f": {line}\n" for line in _lines(text)).encode("utf-8") + b"\n"
