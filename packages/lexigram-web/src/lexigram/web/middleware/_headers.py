"""Small helpers over ASGI raw header lists."""

from __future__ import annotations


def add_vary(headers: list[tuple[bytes, bytes]], token: bytes) -> None:
    """Add ``token`` to the ``Vary`` header of ``headers`` (in place) unless already covered."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            tokens = {t.strip().lower() for t in value.split(b",")}
            if token.lower() not in tokens and b"*" not in tokens:
                headers[index] = (name, value + b", " + token)
            return
    headers.append((b"vary", token))
