"""Test clients for ``LexigramApp``: they run the app's lifespan and can override services.

``TestClient`` (sync, Starlette's) and ``AsyncTestClient`` (an ``httpx.AsyncClient``) both start
the app on enter and stop it on exit. ``overrides={Service: fake}`` replaces container services
for the client's lifetime; they are applied before startup, so everything compiled at startup
(controllers built once, guards, ...) sees the replacement. Needs httpx:
``pip install "lexigram-web[testing]"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

try:
    import httpx

    with warnings.catch_warnings():
        # Starlette's test client prefers httpx2 and warns when it runs on httpx.
        warnings.filterwarnings("ignore", message=".*install `httpx2` instead")
        from starlette.testclient import TestClient as _StarletteTestClient
except ImportError as exc:  # pragma: no cover - exercised only without httpx
    raise ImportError(
        'lexigram.web.testing needs httpx: pip install "lexigram-web[testing]"'
    ) from exc

from ._app import LexigramApp

__all__ = ["AsyncTestClient", "TestClient"]


def _apply(app: LexigramApp, overrides: Mapping[Any, Any] | None) -> None:
    for service, replacement in (overrides or {}).items():
        app.override(service, replacement)


class TestClient(_StarletteTestClient):
    """A synchronous test client (Starlette's, on ``httpx2``).

    Use it as ``with TestClient(app) as client:`` to run the lifespan (startup on enter,
    shutdown on exit)."""

    __test__ = False

    def __init__(
        self,
        app: LexigramApp,
        *,
        overrides: Mapping[Any, Any] | None = None,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        _apply(app, overrides)
        super().__init__(
            app,
            base_url=base_url,
            raise_server_exceptions=raise_server_exceptions,
            headers=dict(headers) if headers else None,
        )
        self.lexigram_app = app


class AsyncTestClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` bound to the app in-process; ``async with`` runs the lifespan."""

    __test__ = False

    def __init__(
        self,
        app: LexigramApp,
        *,
        overrides: Mapping[Any, Any] | None = None,
        base_url: str = "http://testserver",
        headers: Mapping[str, str] | None = None,
        client: tuple[str, int] = ("127.0.0.1", 50000),
    ) -> None:
        _apply(app, overrides)
        super().__init__(
            transport=httpx.ASGITransport(app=app, client=client),
            base_url=base_url,
            headers=dict(headers) if headers else None,
        )
        self.lexigram_app = app

    async def __aenter__(self) -> Self:
        await self.lexigram_app.startup()
        try:
            await super().__aenter__()
        except BaseException:
            await self.lexigram_app.shutdown()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc_value, traceback)
        finally:
            await self.lexigram_app.shutdown()
