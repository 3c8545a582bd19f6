"""WebSocket close signals: ``WebSocketException`` and ``WebSocketDisconnect``."""

from __future__ import annotations

from typing import Any, Final

from ._members import check_status

__all__ = ["WebSocketDisconnect", "WebSocketException"]

_MAX_REASON_BYTES: Final = 123  # a close frame's payload is 125 bytes, 2 of them the code


def _check_code(code: object) -> int:
    return check_status(code, 1000, 4999, "WebSocket close code")


class WebSocketException(Exception):
    """Raise to close a WebSocket with ``code`` (1000-4999) and an optional ``reason``.

    ``reason`` must fit a close frame: at most 123 bytes once UTF-8 encoded.
    """

    code: int
    reason: str

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = _check_code(code)
        if len(reason.encode("utf-8")) > _MAX_REASON_BYTES:
            raise ValueError(
                f"WebSocket close reason is {len(reason.encode('utf-8'))} bytes in UTF-8; "
                f"shorten it to at most {_MAX_REASON_BYTES} bytes"
            )
        self.reason = reason
        super().__init__(code, reason)

    def __str__(self) -> str:
        return (
            f"WebSocket close {self.code}: {self.reason}"
            if self.reason
            else f"WebSocket close {self.code}"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, reason={self.reason!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.reason))


class WebSocketDisconnect(Exception):
    """Signals that the peer closed the WebSocket (``code`` 1000-4999, ``reason``); not an error."""

    code: int
    reason: str

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        self.code = _check_code(code)
        self.reason = reason
        super().__init__(code, reason)

    def __str__(self) -> str:
        suffix = f": {self.reason}" if self.reason else ""
        return f"WebSocket disconnected with code {self.code}{suffix}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, reason={self.reason!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.reason))
