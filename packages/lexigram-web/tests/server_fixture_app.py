"""Tiny applications for the server and CLI tests (imported by ``lexigram`` subprocesses)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import Receive, Scope, Send


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """A plain ASGI application: a text answer naming the path.

    On lifespan shutdown it writes the file named by ``$FIXTURE_SHUTDOWN_MARKER`` (if set),
    so tests can tell a graceful stop from a kill.
    """
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                _mark_stopped()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    body = f"hello from {scope['path']}".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _mark_stopped() -> None:
    marker = os.environ.get("FIXTURE_SHUTDOWN_MARKER")
    if marker:
        Path(marker).write_text("stopped")


class AuthGuard:
    """A guard class, listed by name."""


def audit(handler: object) -> object:
    """An interceptor function, listed by name."""
    return handler


async def list_users() -> list[str]:
    return []


async def save_user() -> None:
    return None


@dataclass
class Route:
    methods: frozenset[str]
    path: str
    handler: object
    name: str | None = None
    guards: list[object] = field(default_factory=list[object])
    interceptors: list[object] = field(default_factory=list[object])


@dataclass
class RoutedApp:
    routes: list[Route]


routed = RoutedApp(
    routes=[
        Route(frozenset({"GET"}), "/users", list_users, guards=[AuthGuard], interceptors=[audit]),
        Route(frozenset({"POST", "PUT"}), "/users/{id:int}", save_user, name="users.save"),
        Route(frozenset({"DELETE"}), "/admin", list_users, guards=[AuthGuard()]),
    ]
)
