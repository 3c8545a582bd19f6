"""Refuse requests whose ``Host`` header is not one of the trusted host names."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.http_errors import BadRequestError

from .._http.problem import send_problem

_POLICY_VIOLATION = 1008


class TrustedHostMiddleware:
    """Answer 400 problem+json when ``Host`` is missing or not in ``allowed_hosts``.

    Entries are exact names (``"api.example.com"``), ``"*.example.com"`` (any subdomain,
    not the bare domain) or ``"*"`` (any host: the check is off). Matching ignores case,
    the port and a trailing dot. A refused WebSocket handshake is closed with code 1008.
    """

    __slots__ = ("_any", "_exact", "_suffixes", "app")

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str]) -> None:
        if isinstance(allowed_hosts, str):
            raise TypeError("allowed_hosts must be a list of host names, not a single string")
        if not allowed_hosts:
            raise ValueError(
                "allowed_hosts is empty, so every request would be refused; list the host "
                "names this application serves (or '*' to accept any)"
            )
        exact: set[str] = set()
        suffixes: list[str] = []
        for pattern in allowed_hosts:
            if pattern == "*":
                continue
            host = pattern.lower().rstrip(".")
            if host.startswith("*.") and "*" not in host[2:] and len(host) > 2:
                suffixes.append(host[1:])
            elif host and "*" not in host:
                exact.add(host)
            else:
                raise ValueError(
                    f"{pattern!r} is not a host pattern; use 'example.com', '*.example.com' or '*'"
                )
        self.app = app
        self._any = "*" in allowed_hosts
        self._exact = frozenset(exact)
        self._suffixes = tuple(suffixes)

    def is_allowed(self, host_header: str | None) -> bool:
        """Whether a raw ``Host`` header value names a trusted host."""
        if self._any:
            return True
        if not host_header:
            return False
        host = _hostname(host_header)
        return host in self._exact or host.endswith(self._suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if self._any or (kind != "http" and kind != "websocket"):
            await self.app(scope, receive, send)
            return
        host: str | None = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
                break
        if self.is_allowed(host):
            await self.app(scope, receive, send)
        elif kind == "http":
            detail = (
                "the Host header is missing"
                if host is None
                else "the Host header does not name a host this server accepts"
            )
            await send_problem(scope, send, BadRequestError(detail))
        else:
            await send({"type": "websocket.close", "code": _POLICY_VIOLATION})


def _hostname(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    return host.partition(":")[0].rstrip(".")
