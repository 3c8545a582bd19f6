"""Response classes and helper constructors.

``Response``, ``FileResponse`` and ``StreamingResponse`` are Starlette's (any Starlette response a
handler returns is sent as is); ``JSONResponse`` encodes with orjson, ``RedirectResponse`` refuses
header-splitting targets, ``HTMXResponse`` sets the ``HX-*`` headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

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

from .json import dumps

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
    """HTML response with HTMX response headers.

    ``hx_trigger`` (and ``hx_trigger_after_settle`` / ``hx_trigger_after_swap``): an event
    name, or a mapping ``{event: detail}`` sent as JSON. ``hx_refresh``: full page refresh.
    ``hx_redirect`` / ``hx_location`` (a URL, or for ``hx_location`` a mapping sent as JSON):
    client-side redirect. ``hx_retarget`` (CSS selector), ``hx_reswap`` (swap strategy),
    ``hx_reselect`` (selector), ``hx_push_url`` / ``hx_replace_url`` (a URL, or ``False`` to
    prevent the history update). A value containing CR, LF or NUL is refused (``ValueError``;
    a 400 for redirect targets).
    """

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        hx_trigger: str | Mapping[str, Any] | None = None,
        hx_refresh: bool = False,
        hx_redirect: str | None = None,
        *,
        hx_retarget: str | None = None,
        hx_reswap: str | None = None,
        hx_reselect: str | None = None,
        hx_push_url: str | Literal[False] | None = None,
        hx_replace_url: str | Literal[False] | None = None,
        hx_location: str | Mapping[str, Any] | None = None,
        hx_trigger_after_settle: str | Mapping[str, Any] | None = None,
        hx_trigger_after_swap: str | Mapping[str, Any] | None = None,
    ) -> None:
        merged = dict(headers or {})
        if hx_redirect is not None and not _FORBIDDEN_IN_URL.isdisjoint(hx_redirect):
            raise BadRequestError("redirect target contains control characters")
        values: dict[str, Any] = {
            "HX-Trigger": hx_trigger,
            "HX-Trigger-After-Settle": hx_trigger_after_settle,
            "HX-Trigger-After-Swap": hx_trigger_after_swap,
            "HX-Refresh": "true" if hx_refresh else None,
            "HX-Redirect": hx_redirect,
            "HX-Location": hx_location,
            "HX-Retarget": hx_retarget,
            "HX-Reswap": hx_reswap,
            "HX-Reselect": hx_reselect,
            "HX-Push-Url": "false" if hx_push_url is False else hx_push_url,
            "HX-Replace-Url": "false" if hx_replace_url is False else hx_replace_url,
        }
        for name, value in values.items():
            if value is None:
                continue
            text = value if isinstance(value, str) else dumps(value).decode()
            if not _FORBIDDEN_IN_URL.isdisjoint(text):
                raise ValueError(f"{name} must not contain CR, LF or NUL")
            merged[name] = text
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
    if headers is not None or status_code < 200 or status_code in (204, 304):
        return PlainTextResponse(content, status_code, headers)
    # PlainTextResponse(content, status_code) with its two headers written directly
    # (Starlette's header initialisation is most of a small response's cost)
    response = PlainTextResponse.__new__(PlainTextResponse)
    body = content.encode("utf-8")
    response.status_code = status_code
    response.background = None
    response.body = body
    response.raw_headers = [
        (b"content-length", str(len(body)).encode("latin-1")),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]
    return response


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
