"""Problem-detail member names and status-code validation shared by errors and problems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

__all__ = ["GENERIC_5XX_DETAIL", "STANDARD_MEMBERS", "check_extensions", "check_status"]

STANDARD_MEMBERS: Final = frozenset({"type", "title", "status", "detail", "instance"})
"""The RFC 9457 members an extension may not shadow."""

GENERIC_5XX_DETAIL: Final = "An internal error occurred."
"""The detail of every server error whose exception text must not reach the client."""


def check_extensions(extensions: Mapping[str, Any] | None) -> dict[str, Any]:
    """A fresh dict of ``extensions``; names must be strings that are not standard members."""
    if not extensions:
        return {}
    result = dict(extensions)
    for name in result:
        if not isinstance(name, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"extension member names must be str, got {name!r}")
        if name in STANDARD_MEMBERS:
            raise ValueError(
                f"extension member {name!r} would shadow the standard problem member of that "
                f"name; pass it as the {name}= argument or rename the extension"
            )
    return result


def check_status(status: object, low: int, high: int, what: str) -> int:
    """``status`` as a plain int, or ``ValueError`` naming the valid range."""
    if isinstance(status, int) and not isinstance(status, bool) and low <= status <= high:
        return int(status)
    raise ValueError(f"{what} must be an int in the range {low}-{high}, got {status!r}")
