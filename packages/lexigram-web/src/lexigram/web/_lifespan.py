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
    """Answer ``lifespan.startup`` and ``lifespan.shutdown``.

    A failure is reported to the server (``*.failed``) and then re-raised, as the ASGI
    lifespan spec expects: servers exit instead of serving a half-started app, and test
    clients raise the startup error instead of waiting on a lifespan that already ended.
    """
    message = await receive()
    if message["type"] == "lifespan.startup":
        try:
            await startup()
        except BaseException as exc:
            _log.exception("startup failed")
            text = f"{type(exc).__name__}: {exc}"
            await send({"type": "lifespan.startup.failed", "message": text})
            raise
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
    if message["type"] == "lifespan.shutdown":
        try:
            await shutdown()
        except BaseException as exc:
            _log.exception("shutdown failed")
            text = f"{type(exc).__name__}: {exc}"
            await send({"type": "lifespan.shutdown.failed", "message": text})
            raise
        await send({"type": "lifespan.shutdown.complete"})
