"""End an app's event streams and websockets as soon as a granian worker is told to stop.

A granian worker runs the lifespan shutdown only once its connections are gone, and streams
never go by themselves: without help they hold the worker until ``graceful_timeout`` and are
then killed (no last chunk, no close frame). So, in the worker, a handler is chained in front
of the one granian installs for SIGTERM and SIGINT: it calls the app's
``open_connections.close()`` on the event loop and lets granian's own handling go on
(granian is woken through the loop's signal wake-up file descriptor, which stays in place).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from types import FrameType
from typing import Any

from .._http.connections import OpenConnections

__all__ = ["close_connections_on_stop"]

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def close_connections_on_stop(app: object) -> None:
    """For an app with ``open_connections`` (a Lexigram app), in a granian worker whose event
    loop is set but not started: chain the handlers once the loop runs (granian installs its
    own just before)."""
    if not isinstance(getattr(app, "open_connections", None), OpenConnections):
        return
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers belong to the main thread
    loop = asyncio.get_event_loop()
    loop.call_soon(_chain, app, loop)


def _chain(app: object, loop: asyncio.AbstractEventLoop) -> None:
    for number in _STOP_SIGNALS:
        previous: Any = signal.getsignal(number)

        def on_stop(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(_close, app)
            if callable(previous):
                previous(signum, frame)

        signal.signal(number, on_stop)


def _close(app: object) -> None:
    connections: object = getattr(app, "open_connections", None)
    if isinstance(connections, OpenConnections):
        connections.close()
