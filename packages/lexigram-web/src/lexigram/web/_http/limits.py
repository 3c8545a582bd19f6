"""The request checks of the default stack, shared by its middleware and by an app that runs
them in its dispatcher: the query string rules and the declared body size limit."""

from __future__ import annotations

import re
from typing import Final, Literal

from lexigram.http_errors import BadRequestError, HTTPError, PayloadTooLargeError

__all__ = ["BodyLimit", "QueryRules"]

# Raw C0/DEL bytes, and percent-encoded C0 (except HT, LF, CR), DEL and UTF-8 encoded C1.
_CONTROL: Final = re.compile(
    rb"[\x00-\x1f\x7f]|%(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f]|7[Ff])|%[Cc]2%[89][0-9A-Fa-f]"
)
_URI_TOO_LONG: Final = 414


class QueryRules:
    """What ``QuerySanitizerMiddleware`` checks: the length (414 beyond ``max_length`` bytes)
    and, with ``sanitize``, control characters (400, or removed with ``on_control="strip"``)."""

    __slots__ = ("max_length", "sanitize", "strip")

    def __init__(
        self,
        sanitize: bool = True,
        *,
        max_length: int = 8192,
        on_control: Literal["reject", "strip"] = "reject",
    ) -> None:
        if max_length < 1:
            raise ValueError(f"max_length must be >= 1 byte, got {max_length}")
        if on_control not in ("reject", "strip"):
            raise ValueError(f"on_control must be 'reject' or 'strip', got {on_control!r}")
        self.sanitize = sanitize
        self.max_length = max_length
        self.strip = on_control == "strip"

    def check(self, query: bytes) -> HTTPError | bytes | None:
        """The refusal for a non-empty ``query``, the query to use instead (controls stripped),
        or ``None`` when it passes as it is."""
        if len(query) > self.max_length:
            detail = f"the query string is {len(query)} bytes; the limit is {self.max_length}"
            return HTTPError(_URI_TOO_LONG, detail)
        if self.sanitize and _CONTROL.search(query) is not None:
            if self.strip:
                return _CONTROL.sub(b"", query)
            return BadRequestError("the query string contains control characters")
        return None


class BodyLimit:
    """What ``BodySizeLimitMiddleware`` refuses: a body over ``max_body_size`` bytes."""

    __slots__ = ("max_body_size",)

    def __init__(self, max_body_size: int) -> None:
        if max_body_size < 0:
            raise ValueError(f"max_body_size must be >= 0 bytes, got {max_body_size}")
        self.max_body_size = max_body_size

    def too_large(self, size: int | None = None) -> PayloadTooLargeError:
        stated = "" if size is None else f" ({size} bytes)"
        return PayloadTooLargeError(
            f"the request body{stated} is larger than the limit of {self.max_body_size} bytes"
        )

    def check_declared(self, length: bytes) -> HTTPError | None:
        """The refusal for a ``Content-Length`` value, or ``None`` when it is within the limit."""
        if not length.isdigit():
            return BadRequestError("the Content-Length header is not a whole number")
        if int(length) > self.max_body_size:
            return self.too_large(int(length))
        return None
