"""Test clients for ``LexigramApp``: they run the app's lifespan and can override services.

``TestClient`` (sync, Starlette's) and ``AsyncTestClient`` (an ``httpx.AsyncClient``) both start
the app on enter and stop it on exit. ``overrides={Service: fake}`` replaces container services
for the client's lifetime; they are applied before startup, so everything compiled at startup
(controllers built once, guards, ...) sees the replacement, and they end with the client (on
exit, or ``close()``: an app the client started on its first request is stopped then, so the
next start is without the fakes). Needs httpx: ``pip install "lexigram-web[testing]"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import anyio.from_thread

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


def _apply(app: LexigramApp, overrides: Mapping[Any, Any] | None) -> list[tuple[Any, Any]]:
    for service, replacement in (overrides or {}).items():
        app.override(service, replacement)
    count = len(overrides or {})
    added = app._lifespan.overrides  # pyright: ignore[reportPrivateUsage]
    return added[len(added) - count :] if count else []


def _withdraw(app: LexigramApp, entries: list[tuple[Any, Any]]) -> bool:
    """Withdraw a client's overrides; ``True`` when the app still runs with them (started by
    a request without ``with``) and must stop so the next start is without them."""
    if not entries:
        return False
    app._lifespan.withdraw(entries)  # pyright: ignore[reportPrivateUsage]
    entries.clear()
    return app.started


async def _end_overrides(app: LexigramApp, entries: list[tuple[Any, Any]]) -> None:
    if _withdraw(app, entries):
        await app.shutdown()


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
        self._own_overrides = _apply(app, overrides)
        super().__init__(
            app,
            base_url=base_url,
            raise_server_exceptions=raise_server_exceptions,
            headers=dict(headers) if headers else None,
        )
        self.lexigram_app = app

    def __exit__(self, *args: Any) -> None:
        try:
            super().__exit__(*args)
        finally:
            self._end()

    def close(self) -> None:
        """Close the client; its overrides end here (see the module docstring)."""
        try:
            super().close()
        finally:
            self._end()

    def _end(self) -> None:
        if _withdraw(self.lexigram_app, self._own_overrides):
            with anyio.from_thread.start_blocking_portal(**self.async_backend) as portal:
                portal.call(self.lexigram_app.shutdown)


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
        self._own_overrides = _apply(app, overrides)
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
            try:
                await self.lexigram_app.shutdown()
            finally:
                await _end_overrides(self.lexigram_app, self._own_overrides)

    async def aclose(self) -> None:
        """Close the client; its overrides end here (see the module docstring)."""
        try:
            await super().aclose()
        finally:
            await _end_overrides(self.lexigram_app, self._own_overrides)
