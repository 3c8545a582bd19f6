"""``HttpToolsProtocol`` with the header deadline (imported only when httptools is installed)."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ._uvicorn_protocols import HeaderDeadline

__all__ = ["DeadlineHttpToolsProtocol"]


class DeadlineHttpToolsProtocol(HeaderDeadline, HttpToolsProtocol):
    """``HttpToolsProtocol`` (the C parser) with the header deadline."""
