"""Uvicorn's HTTP protocols with a header deadline and an early end for open streams.

Uvicorn times out idle kept-alive connections, but not a new connection that never sends a
byte, nor one that stalls in the middle of its headers. These protocols close such a
connection ``header_timeout`` seconds after it opened (or after the first byte of a later
request), unless the request's headers are complete by then.

When the server begins a graceful stop it asks every connection to shut down; the first one
asked also ends the app's open event streams and websockets (``OpenConnections.close()``), so
they finish cleanly instead of being cancelled when ``graceful_timeout`` runs out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.protocols.http.h11_impl import H11Protocol

from .._config.serving import DEFAULT_HEADER_TIMEOUT
from .._http.connections import OPEN_CONNECTIONS, OpenConnections

__all__ = ["AutoDeadlineProtocol", "DeadlineH11Protocol", "HeaderDeadline"]


class HeaderDeadline(asyncio.Protocol):
    """The deadline, mixed in front of one of uvicorn's HTTP protocols."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._awaiting_headers():
            self._disarm()
        elif self._deadline is None:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        me: Any = self
        connections: object = me.app_state.get(OPEN_CONNECTIONS)
        if isinstance(connections, OpenConnections):
            connections.close()
        parent: Any = super()
        parent.shutdown()

    def _awaiting_headers(self) -> bool:
        me: Any = self
        cycle: Any = me.cycle
        return cycle is None or bool(cycle.response_complete)

    def _arm(self) -> None:
        me: Any = self
        loop: asyncio.AbstractEventLoop = me.loop
        delay: float = getattr(me.config, "header_timeout", DEFAULT_HEADER_TIMEOUT)
        self._deadline = loop.call_later(delay, self._expired)

    def _disarm(self) -> None:
        deadline = self._deadline
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        me: Any = self
        transport: asyncio.Transport = me.transport
        if transport.is_closing() or transport.get_protocol() is not self:
            return  # closed already, or upgraded to a websocket
        if self._awaiting_headers():
            transport.close()


class DeadlineH11Protocol(HeaderDeadline, H11Protocol):
    """``H11Protocol`` (pure Python) with the header deadline."""


def _auto_protocol() -> type[asyncio.Protocol]:
    """The protocol uvicorn's ``http="auto"`` picks, with the header deadline."""
    if AutoHTTPProtocol is H11Protocol:
        return DeadlineH11Protocol
    from ._uvicorn_httptools import DeadlineHttpToolsProtocol

    return DeadlineHttpToolsProtocol


AutoDeadlineProtocol = _auto_protocol()
"""What ``run_server`` passes to uvicorn (as the import string
``"lexigram.web._serve._uvicorn_protocols:AutoDeadlineProtocol"``)."""
