"""The ASGI lifespan protocol, driving an app's ``startup()`` and ``shutdown()``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.types import Receive, Send

__all__ = ["run_lifespan"]

_log = logging.getLogger("lexigram.web")


async def run_lifespan(
    startup: Callable[[], Awaitable[None]],
    shutdown: Callable[[], Awaitable[None]],
    receive: Receive,
    send: Send,
) -> None:
    """Answer ``lifespan.startup`` and ``lifespan.shutdown`` (failures reported, not raised)."""
    message = await receive()
    if message["type"] == "lifespan.startup":
        try:
            await startup()
        except BaseException as exc:
            _log.exception("startup failed")
            text = f"{type(exc).__name__}: {exc}"
            await send({"type": "lifespan.startup.failed", "message": text})
            return
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
    if message["type"] == "lifespan.shutdown":
        try:
            await shutdown()
        except BaseException as exc:
            _log.exception("shutdown failed")
            text = f"{type(exc).__name__}: {exc}"
            await send({"type": "lifespan.shutdown.failed", "message": text})
            return
        await send({"type": "lifespan.shutdown.complete"})
