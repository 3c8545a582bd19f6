"""``OpenConnections``: an app's open event streams and WebSockets, ended together at shutdown.

An event stream or a WebSocket session runs inside ``track()``, a cancel scope the registry
holds. ``close()`` cancels them all: an event stream then sends its last (empty) chunk, so the
client sees the response end cleanly, and a WebSocket is closed with 1001 (going away). The
app calls it first thing in its shutdown, and publishes the registry in the ASGI lifespan
state under ``OPEN_CONNECTIONS`` so a server that runs the lifespan shutdown only after its
connections are gone (uvicorn) can call ``close()`` as soon as it stops accepting.
"""

from __future__ import annotations

import asyncio
import logging
import typing
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any, Final

import anyio
from starlette.types import Scope

__all__ = ["GOING_AWAY", "OPEN_CONNECTIONS", "OpenConnections", "open_connections"]

OPEN_CONNECTIONS: Final = "lexigram.web.open_connections"
"""The lifespan-state key of an app's ``OpenConnections``."""
GOING_AWAY: Final = 1001
"""The WebSocket close code sent to open sessions when the server shuts down."""
_log = logging.getLogger("lexigram.web")


class OpenConnections:
    """The cancel scopes of the open event streams and WebSocket sessions of one app."""

    __slots__ = ("_closing", "_idle", "_scopes")

    def __init__(self) -> None:
        self._scopes: set[anyio.CancelScope] = set()
        self._closing = False
        self._idle: asyncio.Event | None = None

    def __len__(self) -> int:
        return len(self._scopes)

    @property
    def closing(self) -> bool:
        """Whether ``close()`` was called: new streams and sessions end at once."""
        return self._closing

    @contextmanager
    def track(self) -> Generator[anyio.CancelScope]:
        """Run the block as one open connection; it is cancelled by ``close()``.

        After the block, ``scope.cancelled_caught`` tells whether shutdown ended it.
        """
        scope = anyio.CancelScope()
        if self._closing:
            scope.cancel()
        self._scopes.add(scope)
        try:
            with scope:
                yield scope
        finally:
            self._scopes.discard(scope)
            idle = self._idle
            if idle is not None and not self._scopes:
                idle.set()

    def close(self) -> None:
        """End every open stream and session (and any opened later); returns at once."""
        self._closing = True
        for scope in tuple(self._scopes):
            scope.cancel()

    async def aclose(self, within: float) -> bool:
        """``close()``, then wait up to ``within`` seconds for them to end; ``False`` if some
        are still open then."""
        self.close()
        if not self._scopes:
            return True
        idle = self._idle = asyncio.Event()
        try:
            async with asyncio.timeout(within):
                await idle.wait()
        except TimeoutError:
            return False
        finally:
            self._idle = None
        return True

    async def end(self, within: float) -> None:
        """``aclose(within)`` at shutdown; a warning is logged when some are still open then."""
        if not await self.aclose(within):
            _log.warning(
                "%d event streams or websockets were still open %ss after shutdown began",
                len(self),
                within,
            )

    def publish(self, lifespan_scope: Scope) -> None:
        """Put the registry in the lifespan state under ``OPEN_CONNECTIONS`` (requests find it
        with ``open_connections``; a server integration can ``close()`` it earlier)."""
        state: Any = lifespan_scope.get("state")
        if isinstance(state, dict):
            typing.cast("dict[str, object]", state)[OPEN_CONNECTIONS] = self


def open_connections(scope: Scope) -> OpenConnections | None:
    """The app's registry from the request's lifespan state (``None`` without a lifespan)."""
    state: Any = scope.get("state")
    if not isinstance(state, dict):
        return None
    found: object = typing.cast("dict[str, object]", state).get(OPEN_CONNECTIONS)
    return found if isinstance(found, OpenConnections) else None
