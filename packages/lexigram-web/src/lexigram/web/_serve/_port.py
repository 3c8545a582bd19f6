"""Refuse a busy port before a server starts (granian binds with ``SO_REUSEPORT`` and would
otherwise share the port with whatever listens there, splitting the traffic)."""

from __future__ import annotations

import errno
import socket

__all__ = ["PortInUseError", "check_port_free"]


class PortInUseError(OSError):
    """Another process listens on the address ``run_server`` was asked to serve on."""

    def __str__(self) -> str:
        return str(self.strerror)


def check_port_free(host: str, port: int) -> None:
    """Bind ``host:port`` once (without ``SO_REUSEPORT``) and let it go; raise
    ``PortInUseError`` naming the fix when something already listens there."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise OSError(f"cannot serve on {host!r}: {exc.strerror}; check --host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As servers do: a port whose last connections are in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise OSError(f"cannot serve on {host}:{port}: {exc.strerror}") from None
            raise PortInUseError(
                errno.EADDRINUSE,
                f"port {port} on {host} is already in use by another process; stop it or "
                "choose another port (--port, or port in application.yaml)",
            ) from None
