"""``HubRelay``: a WebSocket handler hub's broadcasts carried between processes.

With a broadcaster shared between processes (Redis), ``broadcast`` publishes the frame on the
route's channel and every process's hub sends it to its own connections: the hub of a process
subscribes while it holds at least one connection. A published message carries the frame
kind, the publishing hub's random id and the ids of the connections it excludes (meaningful
only to that hub), then the frame's bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, Final

from .._broadcast.errors import BroadcastOverflowError
from .._broadcast.protocol import Broadcaster

__all__ = ["HubRelay"]

_log = logging.getLogger("lexigram.web")
READY_TIMEOUT: Final = 5.0
"""Seconds a first connection waits for the hub's subscription before going on without it."""
_HEADER: Final = 11  # kind (1) + origin (8) + number of excluded ids (2)

Deliver = Callable[[dict[str, Any], set[int]], Awaitable[int]]


class HubRelay:
    """Publishes one hub's broadcasts and delivers the ones of every process to it."""

    __slots__ = ("_broadcaster", "_channel", "_deliver", "_ready", "_task", "origin")

    def __init__(self, broadcaster: Broadcaster, channel: str, deliver: Deliver) -> None:
        self._broadcaster = broadcaster
        self._channel = channel
        self._deliver = deliver
        self.origin = os.urandom(8)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, frame: dict[str, Any], skip: set[int]) -> int:
        """Publish ``frame`` for every process's connections but the ``skip`` ids of this hub;
        answers how many processes the broadcaster handed it to."""
        if len(skip) > 0xFFFF:
            raise ValueError("broadcast can exclude at most 65535 connections")
        text = frame.get("text")
        kind, data = (b"t", text.encode()) if text is not None else (b"b", frame["bytes"])
        ids = b"".join(key.to_bytes(8, "big") for key in skip)
        payload = b"".join((kind, self.origin, len(skip).to_bytes(2, "big"), ids, data))
        return await self._broadcaster.publish(self._channel, payload)

    async def ensure(self) -> None:
        """Subscribe (once) and wait, boundedly, until the subscription is in place."""
        task = self._task
        if task is None or task.done():
            self._ready = asyncio.Event()
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(self._run(), name=f"lexigram relay {self._channel}")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(READY_TIMEOUT):
                await self._ready.wait()

    def stop(self) -> None:
        """Unsubscribe (the hub holds no connection any more)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def _run(self) -> None:
        try:
            while True:
                try:
                    async with self._broadcaster.subscribe(self._channel) as messages:
                        self._ready.set()
                        async for payload in messages:
                            try:
                                await self._relay(payload)
                            except Exception:
                                _log.exception(
                                    "a message on %r could not be relayed", self._channel
                                )
                    return  # the broadcaster closed
                except BroadcastOverflowError as exc:
                    _log.warning("websocket broadcasts were lost: %s; subscribing again", exc)
        except Exception:
            _log.exception("the websocket hub of channel %r stopped relaying", self._channel)
        finally:
            self._ready.set()

    async def _relay(self, payload: bytes) -> None:
        count = int.from_bytes(payload[9:_HEADER], "big")
        start = _HEADER + 8 * count
        skip: set[int] = set()
        if count and payload[1:9] == self.origin:
            skip = {int.from_bytes(payload[i : i + 8], "big") for i in range(_HEADER, start, 8)}
        data = payload[start:]
        if payload[:1] == b"t":
            frame: dict[str, Any] = {"type": "websocket.send", "text": data.decode()}
        else:
            frame = {"type": "websocket.send", "bytes": data}
        await self._deliver(frame, skip)
