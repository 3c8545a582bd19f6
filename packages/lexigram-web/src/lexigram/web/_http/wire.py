"""Reading the request off the wire: the query string and raw header values.

Both read the ASGI scope directly: the query string split into decoded pairs (or straight
into a dict), a header's first raw value without building a ``Headers`` object.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import Scope

from lexigram.http_errors import BadRequestError

__all__ = ["header_of", "parse_query", "query_dict"]


def _decode(raw: bytes) -> str:
    if b"%" in raw or b"+" in raw:
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    return raw.decode("utf-8")


def parse_query(query_string: bytes) -> list[tuple[str, str]]:
    """Split a query string into decoded pairs; invalid UTF-8 is a 400."""
    pairs: list[tuple[str, str]] = []
    try:
        if b"%" not in query_string and b"+" not in query_string:
            for part in query_string.decode("utf-8").split("&"):
                if part:
                    name, _, text = part.partition("=")
                    pairs.append((name, text))
            return pairs
        for chunk in query_string.split(b"&"):
            if chunk:
                key, _, value = chunk.partition(b"=")
                pairs.append((_decode(key), _decode(value)))
    except UnicodeDecodeError:
        raise BadRequestError("query string is not valid UTF-8") from None
    return pairs


def query_dict(query_string: bytes) -> dict[str, str]:
    """``dict(parse_query(query_string))`` without the list of pairs in between."""
    if b"%" in query_string or b"+" in query_string:
        return dict(parse_query(query_string))
    try:
        text = query_string.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestError("query string is not valid UTF-8") from None
    query: dict[str, str] = {}
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            query[name] = value
    return query


def header_of(scope: Scope, name: bytes) -> bytes | None:
    """The first raw value of header ``name`` (lower case, as ASGI servers send names), read
    straight from the scope (what ``headers.get`` answers, without building ``Headers``)."""
    for key, value in scope["headers"]:
        if key == name:
            found: bytes = value
            return found
    return None
