"""``uvicorn.Config`` with the header timeout its HTTP protocol reads."""

from __future__ import annotations

from typing import Any

import uvicorn

__all__ = ["LexigramConfig"]


class LexigramConfig(uvicorn.Config):
    """Uvicorn's configuration plus ``header_timeout`` (seconds)."""

    def __init__(self, app: Any, *, header_timeout: float, **options: Any) -> None:
        super().__init__(app, **options)
        self.header_timeout = header_timeout
