"""A minimal in-process ASGI driver: no sockets, no client library.

The scope, ``receive`` and ``send`` are built by hand so the driver's own cost is tiny and the
same for every framework: per request, one shallow copy of a prepared scope, one small
``receive`` object and one ``send`` that keeps the response status.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .scenarios import Request

Message = MutableMapping[str, Any]
ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]

_DISCONNECT = {"type": "http.disconnect"}


def make_scope(request: Request) -> dict[str, Any]:
    """The HTTP scope a server would build for ``request`` (copied per request)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            *((k.encode(), v.encode()) for k, v in request.headers),
            *([(b"content-length", str(len(request.body)).encode())] if request.body else []),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


class _Receive:
    """The request body in one message, then ``http.disconnect``."""

    __slots__ = ("_message",)

    def __init__(self, message: dict[str, Any]) -> None:
        self._message: dict[str, Any] | None = message

    async def __call__(self) -> dict[str, Any]:
        message = self._message
        if message is None:
            return _DISCONNECT
        self._message = None
        return message


class _StatusSend:
    """Keeps the status of the last response (the timing loop checks it afterwards)."""

    __slots__ = ("status",)

    def __init__(self) -> None:
        self.status = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]


@dataclass
class Response:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict[str, str])
    body: bytes = b""


async def call(app: ASGIApp, request: Request) -> Response:
    """Send one request and collect the whole response (used by the correctness checks)."""
    response = Response()

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            response.status = message["status"]
            for name, value in message.get("headers", []):
                response.headers[bytes(name).decode().lower()] = bytes(value).decode()
        elif message["type"] == "http.response.body":
            response.body += bytes(message.get("body", b""))

    body = {"type": "http.request", "body": request.body, "more_body": False}
    await app(make_scope(request), _Receive(body), send)
    return response


async def time_requests(
    app: ASGIApp,
    request: Request,
    count: int,
    status: int,
    settle: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Nanoseconds per request over ``count`` sequential requests, by wall clock and by CPU
    time (``process_time``); checks the final status. ``settle`` runs inside the timing after
    the requests: the work they left to other threads (a span processor's export) is done
    and counted here, not in the next batch timed."""
    template = make_scope(request)
    body = {"type": "http.request", "body": request.body, "more_body": False}
    send = _StatusSend()
    copy = template.copy
    cpu, wall = time.process_time_ns(), time.perf_counter_ns()
    for _ in range(count):
        await app(copy(), _Receive(body), send)
    if settle is not None:
        settle()
    wall_ns, cpu_ns = time.perf_counter_ns() - wall, time.process_time_ns() - cpu
    if send.status != status:
        raise RuntimeError(f"{request.method} {request.target()} answered {send.status}")
    return wall_ns / count, cpu_ns / count


async def garbage_per_request(
    targets: Sequence[tuple[ASGIApp, Request, int]], count: int
) -> list[float]:
    """Objects each ``(app, request, status)`` leaves for the cyclic garbage collector per
    request: the collector off, ``count`` requests, then what one full collection finds,
    divided by ``count``. One collection before the first app; each app's own collection
    leaves nothing for the next one. The driver itself makes no reference cycles, so every
    object counted is the app's."""
    found: list[float] = []
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for app, request, status in targets:
            template = make_scope(request)
            body = {"type": "http.request", "body": request.body, "more_body": False}
            send = _StatusSend()
            copy = template.copy
            for _ in range(count):
                await app(copy(), _Receive(body), send)
            found.append(gc.collect() / count)
            if send.status != status:
                raise RuntimeError(f"{request.method} {request.target()} answered {send.status}")
    finally:
        if was_enabled:
            gc.enable()
    return found


class Lifespan:
    """Runs an app's ASGI lifespan: ``await startup()`` before requests, ``shutdown()`` after."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        await self.app(scope, self._to_app.get, self._from_app.put)

    async def _exchange(self, kind: str) -> None:
        await self._to_app.put({"type": f"lifespan.{kind}"})
        get = asyncio.ensure_future(self._from_app.get())
        assert self._task is not None
        done, _ = await asyncio.wait({get, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if get not in done:
            get.cancel()
            self._task.result()
            raise RuntimeError(f"the app ended its lifespan during {kind}")
        message = get.result()
        if message["type"] != f"lifespan.{kind}.complete":
            raise RuntimeError(f"lifespan {kind} failed: {message}")

    async def startup(self) -> None:
        self._task = asyncio.create_task(self._run())
        await self._exchange("startup")

    async def shutdown(self) -> None:
        if self._task is None:
            return
        await self._exchange("shutdown")
        await self._task
        self._task = None
