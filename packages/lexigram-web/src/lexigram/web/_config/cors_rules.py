"""Which CORS origin settings may be combined with credentials.

A credentialed CORS answer lets the allowed origin read the user's responses, so an origin
setting that admits any site (``"*"``, a regular expression that matches any origin) or the
opaque ``null`` origin (sandboxed frames, ``file:`` pages, redirects: any site can produce
it) cannot be combined with ``allow_credentials``. Checked once, when the configuration or
the middleware is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["credentialed_origins_problem"]

_PROBES = (
    "https://lexigram-cors-probe-7f3a9c.invalid",
    "http://q9x2k.example:8123",
    "https://198.51.100.7",
    "null",
)
"""Origins no application means to trust: a pattern that matches one admits any site."""


def credentialed_origins_problem(origins: Iterable[str], regex: str | None) -> str | None:
    """Why ``origins`` / ``regex`` cannot go with credentials, or ``None`` when they can."""
    listed = {origin.strip().lower() for origin in origins}
    if "*" in listed:
        return (
            "allow_origins contains '*' while allow_credentials is true, which would let "
            "every site read credentialed responses; list the allowed origins explicitly "
            "or set allow_credentials to false"
        )
    if "null" in listed:
        return (
            "allow_origins contains 'null' while allow_credentials is true; any site can send "
            "the opaque origin 'null' (sandboxed frames, file: pages), so this would let "
            "every site read credentialed responses; remove 'null' or set allow_credentials "
            "to false"
        )
    if regex is not None:
        pattern = re.compile(regex)
        matched = [probe for probe in _PROBES if pattern.fullmatch(probe)]
        if matched:
            return (
                f"allow_origin_regex {regex!r} matches any origin (it accepts {matched[0]!r}) "
                "while allow_credentials is true, which would let every site read "
                "credentialed responses; anchor it to your own hosts (for example "
                r"'https://([a-z0-9-]+\.)?example\.com') or set allow_credentials to false"
            )
    return None
