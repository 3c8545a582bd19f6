"""The ``Request`` wrapper: Starlette's request plus proxy-aware ``ip`` and a body size limit."""

from __future__ import annotations

import ipaddress
import typing
from collections.abc import AsyncGenerator, Iterable
from typing import Any

from starlette.requests import Request as StarletteRequest
from starlette.requests import empty_receive, empty_send
from starlette.types import Receive, Scope, Send

from lexigram.http_errors import PayloadTooLargeError

from .error_log import ServerErrorLog

__all__ = ["Request", "RequestSettings", "state_value"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RequestSettings:
    """Per-app request settings, parsed once: body size limit, trusted proxies, and the
    ``url_path_for`` provider behind ``request.url_for``."""

    __slots__ = (
        "app",
        "error_log",
        "max_body_size",
        "router",
        "trust_all_proxies",
        "trusted_networks",
    )

    def __init__(
        self,
        *,
        max_body_size: int | None = None,
        trusted_proxies: Iterable[str] = (),
        router: Any = None,
        app: Any = None,
        error_log: ServerErrorLog | None = None,
    ) -> None:
        self.max_body_size = max_body_size
        self.error_log = error_log
        """The app's rate-limited log of server errors (``None``: log every one)."""
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


DEFAULT_SETTINGS = RequestSettings()


def state_value(scope: Scope, key: str) -> Any:
    """``scope["state"][key]`` (what ``request.state.<key>`` holds), or ``None``."""
    state: Any = scope.get("state")
    if isinstance(state, dict):
        return typing.cast(dict[str, Any], state).get(key)
    return None


class Request(StarletteRequest):
    """The HTTP request handed to handlers, guards and interceptors.

    A Starlette ``Request`` (so any Starlette utility accepts it) with a few additions: ``ip``
    (proxy-aware), ``user``/``auth`` that answer ``None`` instead of asserting, ``request_id``,
    ``is_json``, ``accepted_types``, ``validated_data``, and a body size limit enforced while
    the body streams in.
    """

    def __init__(
        self,
        scope: Scope,
        receive: Receive = empty_receive,
        send: Send = empty_send,
        *,
        settings: RequestSettings | None = None,
    ) -> None:
        super().__init__(scope, receive, send)
        self._settings = settings or DEFAULT_SETTINGS
        self._validated: dict[str, Any] = {}

    @property
    def request(self) -> StarletteRequest:
        """The underlying Starlette request (this object itself)."""
        return self

    @property
    def user(self) -> Any | None:
        """The authenticated user set by an auth middleware or guard (``None`` when unset)."""
        if "user" in self.scope:
            return self.scope["user"]
        return state_value(self.scope, "user")

    @property
    def auth(self) -> Any | None:
        """Authentication credentials set by an auth middleware (``None`` when unset)."""
        if "auth" in self.scope:
            return self.scope["auth"]
        return state_value(self.scope, "auth")

    @property
    def request_id(self) -> str | None:
        """The request id set by a request-id middleware, if any."""
        value = state_value(self.scope, "request_id")
        return str(value) if value is not None else None

    @property
    def is_json(self) -> bool:
        content_type = self.headers.get("content-type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        return media == "application/json" or media.endswith("+json")

    @property
    def accepted_types(self) -> list[str]:
        """Media types of the ``Accept`` header, highest quality first."""
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(self.headers.get("accept", "").split(",")):
            media, *params = (p.strip() for p in part.split(";"))
            if not media:
                continue
            quality = 1.0
            for param in params:
                key, _, value = param.partition("=")
                if key.strip() == "q":
                    try:
                        quality = float(value)
                    except ValueError:
                        quality = 0.0
            ranked.append((-quality, index, media))
        return [media for _, _, media in sorted(ranked)]

    @property
    def ip(self) -> str:
        """Client IP; ``X-Forwarded-For`` is honoured only when the peer is a trusted proxy."""
        return self._settings.client_ip(self.scope)

    @property
    def validated_data(self) -> dict[str, Any]:
        """Parameter values after binding, validation and pipes."""
        return self._validated

    @validated_data.setter
    def validated_data(self, value: dict[str, Any]) -> None:
        self._validated = value

    async def stream(self) -> AsyncGenerator[bytes, None]:
        limit = self._settings.max_body_size
        if limit is None or hasattr(self, "_body"):
            async for chunk in super().stream():
                yield chunk
            return
        declared = self.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLargeError(f"request body exceeds the {limit}-byte limit")
        received = 0
        async for chunk in super().stream():
            received += len(chunk)
            if received > limit:
                raise PayloadTooLargeError(f"request body exceeds the {limit}-byte limit")
            yield chunk
