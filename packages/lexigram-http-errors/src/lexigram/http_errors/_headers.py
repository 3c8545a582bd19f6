"""Header normalisation and validation: a dict or a list of pairs in, a list of pairs out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias, cast

__all__ = ["HeadersInput", "encode_headers", "normalize_headers"]

HeadersInput: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]] | None
"""Headers as a mapping or as (name, value) pairs; pairs may repeat a name (two ``Set-Cookie``)."""

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE: Final = re.compile(r"[\r\n\x00]")
_COMPUTED: Final = frozenset({"content-length", "content-type", "transfer-encoding"})


def _check_pair(name: object, value: object) -> tuple[str, str]:
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(
            f"invalid header name {name!r}: use a non-empty token such as 'Retry-After' "
            "(letters, digits and !#$%&'*+-.^_`|~ only)"
        )
    if name.lower() in _COMPUTED:
        raise ValueError(
            f"header {name!r} is set by the error renderer (the body is problem+json); "
            "remove it, or return a response instead of raising to send a different body"
        )
    if not isinstance(value, str):
        raise TypeError(
            f"header {name!r} has a {type(value).__name__} value; pass str, e.g. str(value)"
        )
    if _BAD_VALUE.search(value):
        raise ValueError(f"header {name!r} contains CR, LF or NUL: remove them from the value")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(
            f"header {name!r} is not latin-1 encodable: percent-encode the value "
            "(urllib.parse.quote) or use the RFC 8187 ext-value form"
        ) from None
    return name, value


def normalize_headers(headers: HeadersInput) -> list[tuple[str, str]]:
    """Validate ``headers`` and return them as a list of pairs, order and duplicates kept."""
    if headers is None:
        return []
    if type(headers) is dict:  # the common case, without the ABC check below
        plain = cast("dict[object, object]", headers)
        return [_check_pair(name, value) for name, value in plain.items()]
    source: object = headers
    if isinstance(source, Mapping):
        mapping = cast("Mapping[object, object]", source)
        return [_check_pair(name, value) for name, value in mapping.items()]
    if isinstance(source, str | bytes) or not isinstance(source, Iterable):  # pyright: ignore[reportUnnecessaryIsInstance] - checked at run time
        raise TypeError("headers must be a mapping or an iterable of (name, value) pairs")
    pairs: list[tuple[str, str]] = []
    for item in cast("Iterable[object]", source):
        if not isinstance(item, tuple) or len(cast("tuple[object, ...]", item)) != 2:
            raise TypeError(f"header {item!r} is not a (name, value) pair of two strings")
        name, value = cast("tuple[object, object]", item)
        pairs.append(_check_pair(name, value))
    return pairs


def encode_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """ASGI raw headers: lower-case latin-1 names and latin-1 values.

    Values are checked again for CR/LF/NUL (a list can be changed after validation).
    """
    raw: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if "\r" in value or "\n" in value or "\x00" in value:
            raise ValueError(f"header {name!r} contains CR, LF or NUL")
        raw.append((name.lower().encode("latin-1"), value.encode("latin-1")))
    return raw
