"""``RequestSettings``: what every request of one app reads, parsed once at startup."""

from __future__ import annotations

import asyncio
import ipaddress
import typing
from collections.abc import Awaitable, Coroutine, Generator, Iterable
from types import CoroutineType
from typing import Any

from starlette.types import Message, Receive, Scope

from lexigram.http_errors import HTTPError

from .error_log import ServerErrorLog
from .response_defaults import ResponseDefaults

__all__ = [
    "DEFAULT_SETTINGS",
    "HEADER_NAMES_KEPT",
    "RequestSettings",
    "body_timeout_error",
    "receive_body_part",
]

HEADER_NAMES_KEPT = 256
"""How many distinct ``add_header`` names an app keeps checked and encoded."""
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RequestSettings:
    """Per-app request settings, parsed once: body size limit, body read timeout, trusted
    proxies, the ``url_path_for`` provider behind ``request.url_for``, and the headers every
    answer carries."""

    __slots__ = (
        "app",
        "body_timeout",
        "default_names",
        "defaults",
        "error_log",
        "header_names",
        "header_names_kept",
        "max_body_size",
        "router",
        "trust_all_proxies",
        "trusted_networks",
    )

    def __init__(
        self,
        *,
        max_body_size: int | None = None,
        body_timeout: float | None = None,
        trusted_proxies: Iterable[str] = (),
        router: Any = None,
        app: Any = None,
        error_log: ServerErrorLog | None = None,
        header_names_kept: int = HEADER_NAMES_KEPT,
        defaults: ResponseDefaults | None = None,
    ) -> None:
        self.max_body_size = max_body_size
        self.defaults = defaults
        """The headers the app's own code adds to every answer (request id, security headers;
        ``None``: middleware adds them, or nothing does)."""
        self.default_names: frozenset[bytes] = defaults.names if defaults else frozenset()
        """Their names (lower case)."""
        self.error_log = error_log
        """The app's rate-limited log of server errors (``None``: log every one)."""
        self.header_names: dict[str, bytes] = {}
        """Header names given to ``add_header``, checked and encoded once (at most
        ``header_names_kept`` of them; an app's own names are a handful)."""
        self.header_names_kept = header_names_kept
        self.body_timeout = body_timeout
        self.router = router
        self.app = app
        networks: list[_Network] = []
        trust_all = False
        for entry in trusted_proxies:
            if entry == "*":
                trust_all = True
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(
                    f"trusted_proxies entry {entry!r} is not an IP address or network"
                    " (use e.g. '10.0.0.1', '10.0.0.0/8' or '*')"
                ) from exc
        self.trusted_networks = tuple(networks)
        self.trust_all_proxies = trust_all

    def is_trusted(self, host: str) -> bool:
        if self.trust_all_proxies:
            return True
        if not self.trusted_networks:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted_networks)

    def client_ip(self, scope: Scope) -> str:
        """The client address; ``X-Forwarded-For`` is believed only from a trusted peer."""
        client = scope.get("client")
        peer: str = client[0] if client else ""
        if not peer or not (self.trust_all_proxies or self.trusted_networks):
            return peer
        if not self.is_trusted(peer):
            return peer
        forwarded: list[str] = []
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                forwarded.extend(p.strip() for p in value.decode("latin-1").split(","))
        hops = [hop for hop in forwarded if hop]
        for hop in reversed(hops):
            if not self.is_trusted(hop):
                return hop
        return hops[0] if hops else peer


DEFAULT_SETTINGS = RequestSettings(header_names_kept=0)
"""The settings of a request built outside an app (shared: it keeps no header names)."""


def body_timeout_error(timeout: float) -> HTTPError:
    """The 408 answered when a request body stalls (the connection is closed after it)."""
    return HTTPError(
        408,
        f"the request body stalled: no data for {timeout:g} seconds",
        headers={"Connection": "close"},
    )


async def receive_body_part(receive: Receive, stall_limit: float | None) -> Message:
    """``await receive()``, answered 408 (``body_timeout_error``) after ``stall_limit``
    seconds (``None``: wait as long as it takes).

    A part the server already holds is returned without arming a timer: ``receive()`` is
    stepped once, and only a call that has to wait finishes under the timeout."""
    if stall_limit is None:
        return await receive()
    awaitable = receive()
    if type(awaitable) is not CoroutineType:  # another awaitable: waited for under the timer
        return await _within(awaitable, stall_limit)
    pending = typing.cast(Coroutine[Any, Any, Message], awaitable)
    try:
        waiting_on: Any = pending.send(None)
    except StopIteration as arrived:
        message: Message = arrived.value
        return message
    return await _within(_Resumed(pending, waiting_on), stall_limit)


async def _within(waiting: Awaitable[Message], stall_limit: float) -> Message:
    try:
        async with asyncio.timeout(stall_limit):
            return await waiting
    except TimeoutError:
        raise body_timeout_error(stall_limit) from None


class _Resumed:
    """The rest of a coroutine already stepped once, as an awaitable: what it waits on goes
    to the task driving this await, and what the task sends or throws goes back to it."""

    __slots__ = ("coroutine", "waiting_on")

    def __init__(self, coroutine: Coroutine[Any, Any, Message], waiting_on: Any) -> None:
        self.coroutine = coroutine
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, Message]:
        coroutine, waiting_on = self.coroutine, self.waiting_on
        while True:
            try:
                sent = yield waiting_on
            except BaseException as exc:  # a cancellation (the timeout): into the coroutine
                try:
                    waiting_on = coroutine.throw(exc)
                except StopIteration as done:
                    return typing.cast(Message, done.value)
            else:
                try:
                    waiting_on = coroutine.send(sent)
                except StopIteration as done:
                    return typing.cast(Message, done.value)
