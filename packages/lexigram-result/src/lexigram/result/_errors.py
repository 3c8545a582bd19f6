"""The exception raised when a result is unwrapped the wrong way."""

from __future__ import annotations

from typing import Any


class UnwrapError(Exception):
    """Raised by ``unwrap``/``expect`` on an ``Err`` (or ``unwrap_err`` on an ``Ok``).

    ``result`` is the result that was unwrapped. When the error held by an
    ``Err`` is itself an exception, it is chained as ``__cause__``.
    """

    def __init__(self, result: Any, message: str) -> None:
        super().__init__(message)
        self.result = result

    def __repr__(self) -> str:
        return f"UnwrapError({self.args[0]!r}, result={self.result!r})"
