"""Response classes and helper constructors.

``Response``, ``FileResponse`` and ``StreamingResponse`` are Starlette's (any Starlette response a
handler returns is sent as is); ``JSONResponse`` encodes with orjson, ``RedirectResponse`` refuses
header-splitting targets, ``HTMXResponse`` sets the ``HX-*`` headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.responses import RedirectResponse as _StarletteRedirect

from lexigram.http_errors import BadRequestError

from ._json import dumps

__all__ = [
    "FileResponse",
    "HTMLContent",
    "HTMLResponse",
    "HTMXResponse",
    "JSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
    "file_response",
    "html_response",
    "json_response",
    "redirect_response",
    "streaming_response",
    "text_response",
]

_FORBIDDEN_IN_URL = frozenset("\r\n\x00")


class HTMLContent(str):
    """A string a handler declares to be HTML: returned as ``text/html``, never JSON-encoded."""

    __slots__ = ()


class JSONResponse(Response):
    """JSON response encoded with orjson (pydantic models through pydantic's serializer)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


class RedirectResponse(_StarletteRedirect):
    """Redirect; a target containing CR, LF or NUL is refused with a 400 (no header splitting)."""

    def __init__(
        self,
        url: str,
        status_code: int = 307,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        if not _FORBIDDEN_IN_URL.isdisjoint(str(url)):
            raise BadRequestError("redirect target contains control characters")
        super().__init__(url, status_code, headers, background)


class HTMXResponse(HTMLResponse):
    """HTML response with HTMX headers (``HX-Trigger`` JSON-encoded, ``HX-Refresh``)."""

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        hx_trigger: Any = None,
        hx_refresh: bool = False,
        hx_redirect: str | None = None,
    ) -> None:
        merged = dict(headers or {})
        if hx_trigger is not None:
            merged["HX-Trigger"] = (
                hx_trigger if isinstance(hx_trigger, str) else dumps(hx_trigger).decode()
            )
        if hx_refresh:
            merged["HX-Refresh"] = "true"
        if hx_redirect is not None:
            if not _FORBIDDEN_IN_URL.isdisjoint(hx_redirect):
                raise BadRequestError("redirect target contains control characters")
            merged["HX-Redirect"] = hx_redirect
        super().__init__(content, status_code, merged)


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Create a JSON response."""
    return JSONResponse(content, status_code, headers)


def html_response(
    content: str, status_code: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """Create an HTML response."""
    return HTMLResponse(content, status_code, headers)


def text_response(
    content: str, status_code: int = 200, headers: dict[str, str] | None = None
) -> PlainTextResponse:
    """Create a plain-text response."""
    return PlainTextResponse(content, status_code, headers)


def redirect_response(
    url: str, status_code: int = 302, headers: dict[str, str] | None = None
) -> RedirectResponse:
    """Create a redirect response (302 by default)."""
    return RedirectResponse(url, status_code, headers)


def file_response(
    path: str | Path,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str | None = None,
    filename: str | None = None,
    content_disposition_type: str = "attachment",
) -> FileResponse:
    """Create a file response."""
    return FileResponse(
        path,
        status_code,
        headers,
        media_type,
        filename=filename,
        content_disposition_type=content_disposition_type,
    )


def streaming_response(
    content: AsyncIterable[bytes | str] | Iterable[bytes | str],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str | None = None,
) -> StreamingResponse:
    """Create a streaming response."""
    return StreamingResponse(content, status_code, headers, media_type)
