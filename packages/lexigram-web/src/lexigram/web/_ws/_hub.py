"""``ConnectionHub``: the open connections of one ``websocket_handler`` route in one app.

The hub is created when the app compiles the route, so two apps (or two test clients) never
share connections or per-user counts. It counts connections per user key for
``max_connections_per_user`` and holds the accepted connections ``broadcast`` sends to. With a
broadcaster shared between processes (Redis), ``broadcast`` goes through it (``HubRelay``) so
that the connections held by every process receive the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Final

import anyio

from .._broadcast.memory import MemoryBroadcaster
from .._broadcast.protocol import Broadcaster
from .._http.json import dumps
from .._http.websocket import WebSocket
from ._relay import HubRelay

__all__ = ["BROADCAST_SEND_TIMEOUT", "ConnectionHub", "Exclude", "Where"]

_log = logging.getLogger("lexigram.web")
BROADCAST_SEND_TIMEOUT: Final = 5.0
"""Seconds one connection may take to take a broadcast message before it is skipped."""

Exclude = WebSocket | Iterable[WebSocket] | None
"""The connection(s) a broadcast leaves out."""
Where = Callable[[WebSocket], bool] | None
"""Which connections a broadcast goes to (``None``: all)."""


class ConnectionHub:
    """Open connections and per-user counts of one handler route."""

    __slots__ = ("_connections", "_per_user", "_relay", "limit")

    def __init__(
        self, limit: int | None, broadcaster: Broadcaster | None = None, channel: str = ""
    ) -> None:
        self.limit = limit
        self._connections: dict[int, WebSocket] = {}  # by id(): sockets are mappings
        self._per_user: dict[Hashable, int] = {}
        self._relay: HubRelay | None = None
        if broadcaster is not None and not isinstance(broadcaster, MemoryBroadcaster):
            self._relay = HubRelay(broadcaster, channel, self._deliver)

    @property
    def shared(self) -> bool:
        """Whether broadcasts reach the connections of other processes too."""
        return self._relay is not None

    # -- per-user limit --------------------------------------------------------------------
    def reserve(self, key: Hashable | None) -> bool:
        """Count one more connection for ``key``; ``False`` (nothing counted) at the limit."""
        if key is None or self.limit is None:
            return True
        count = self._per_user.get(key, 0)
        if count >= self.limit:
            return False
        self._per_user[key] = count + 1
        return True

    def release(self, key: Hashable | None) -> None:
        if key is None or self.limit is None:
            return
        count = self._per_user.get(key, 0) - 1
        if count > 0:
            self._per_user[key] = count
        else:
            self._per_user.pop(key, None)

    def count_for(self, key: Hashable) -> int:
        return self._per_user.get(key, 0)

    # -- connections -----------------------------------------------------------------------
    async def add(self, websocket: WebSocket) -> None:
        """Hold ``websocket``; the first connection of a shared hub subscribes it first."""
        self._connections[id(websocket)] = websocket
        if self._relay is not None:
            await self._relay.ensure()

    def discard(self, websocket: WebSocket) -> None:
        connections = self._connections
        gone = connections.pop(id(websocket), None) is not None
        if gone and not connections and self._relay is not None:
            self._relay.stop()

    @property
    def connections(self) -> tuple[WebSocket, ...]:
        """The open connections of this process."""
        return tuple(self._connections.values())

    def __len__(self) -> int:
        return len(self._connections)

    async def broadcast(
        self, message: Any, *, exclude: Exclude = None, where: Where = None, local: bool = False
    ) -> int:
        """Send ``message`` to every open connection (but ``exclude``, and only those
        ``where`` accepts). ``str`` goes as a text frame, ``bytes`` as a binary frame, anything
        else as JSON text. A connection that fails or takes longer than
        ``BROADCAST_SEND_TIMEOUT`` is skipped.

        In one process (or with ``local=True``) answers how many connections got it. With a
        shared broadcaster the message goes to every process's connections and the answer is
        how many processes the broadcaster handed it to; ``where`` (a function of this
        process) then needs ``local=True``."""
        if isinstance(message, str):
            frame: dict[str, Any] = {"type": "websocket.send", "text": message}
        elif isinstance(message, bytes | bytearray):
            frame = {"type": "websocket.send", "bytes": bytes(message)}
        else:
            frame = {"type": "websocket.send", "text": dumps(message).decode()}
        skip: set[int]
        if exclude is None:
            skip = set()
        elif isinstance(exclude, WebSocket):
            skip = {id(exclude)}
        else:
            skip = {id(ws) for ws in exclude}
        relay = self._relay
        if relay is None or local:
            return await self._deliver(frame, skip, where)
        if where is not None:
            raise TypeError(
                "where= filters the connections of this process only, and this route's"
                " broadcasts reach every process: pass local=True to send to this process's"
                " connections, or give each group a channel of its own"
            )
        return await relay.publish(frame, skip)

    async def _deliver(
        self,
        frame: dict[str, Any],
        skip: set[int],
        where: Callable[[WebSocket], bool] | None = None,
    ) -> int:
        targets = [
            ws
            for key, ws in self._connections.items()
            if key not in skip and (where is None or where(ws))
        ]
        delivered = 0

        async def deliver(websocket: WebSocket) -> None:
            nonlocal delivered
            try:
                with anyio.fail_after(BROADCAST_SEND_TIMEOUT):
                    await websocket.send(frame)
                delivered += 1
            except Exception:
                _log.debug("broadcast to a websocket failed; skipped", exc_info=True)

        if len(targets) == 1:
            await deliver(targets[0])
        elif targets:
            async with anyio.create_task_group() as group:
                for websocket in targets:
                    group.start_soon(deliver, websocket)
        return delivered
