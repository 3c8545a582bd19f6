"""An app tracks its open event streams and WebSocket sessions and ends them when it shuts
down: a stream sends its last (empty) chunk, a WebSocket is closed with 1001 (going away)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
from starlette.types import Message

from lexigram.web import LexigramApp, ServerSentEvent, WebSocket, sse
from lexigram.web._http.connections import OPEN_CONNECTIONS, OpenConnections

BOUND = 5.0  # seconds; a hang fails the test instead of blocking the suite


def endless_app() -> LexigramApp:
    app = LexigramApp()

    @sse("/events", heartbeat=None)
    async def events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(data="hello")
        await anyio.sleep_forever()

    app.add_route(events)

    @app.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.send_text(await websocket.receive_text())

    return app


class Peer:
    """One ASGI connection driven by hand: scripted messages in, everything sent recorded."""

    def __init__(self, *incoming: Message) -> None:
        self.incoming: asyncio.Queue[Message] = asyncio.Queue()
        for message in incoming:
            self.incoming.put_nowait(message)
        self.sent: list[Message] = []
        self.changed = asyncio.Event()

    async def receive(self) -> Message:
        return await self.incoming.get()

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        self.changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(BOUND):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


async def start_with_lifespan(app: LexigramApp) -> tuple[dict[str, Any], Peer, asyncio.Task[None]]:
    """Start ``app`` through the ASGI lifespan protocol, as a server does."""
    state: dict[str, Any] = {}
    peer = Peer({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    task = asyncio.create_task(app(scope, peer.receive, peer.send))
    await peer.until(lambda: bool(peer.sent))
    assert peer.sent[-1]["type"] == "lifespan.startup.complete"
    return state, peer, task


def connection_scope(kind: str, path: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind, "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http" if kind == "http" else "ws", "path": path, "raw_path": path.encode(),
        "root_path": "", "query_string": b"", "headers": [], "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80), "state": dict(state),  # servers copy the state
    }  # fmt: skip


async def shut_down(peer: Peer, task: Awaitable[None]) -> None:
    await peer.incoming.put({"type": "lifespan.shutdown"})
    async with asyncio.timeout(BOUND):
        await task
    assert peer.sent[-1]["type"] == "lifespan.shutdown.complete"


async def test_the_lifespan_publishes_the_open_connections_in_the_state() -> None:
    app = endless_app()
    state, peer, task = await start_with_lifespan(app)
    assert state[OPEN_CONNECTIONS] is app.open_connections
    await shut_down(peer, task)


async def test_shutdown_ends_an_open_event_stream_with_its_last_chunk() -> None:
    app = endless_app()
    state, lifespan, lifespan_task = await start_with_lifespan(app)
    client = Peer()
    stream = asyncio.create_task(
        app(connection_scope("http", "/events", state), client.receive, client.send)
    )
    await client.until(lambda: any(b"hello" in m.get("body", b"") for m in client.sent))
    assert len(app.open_connections) == 1
    await shut_down(lifespan, lifespan_task)
    async with asyncio.timeout(BOUND):
        await stream
    assert client.sent[-1] == {"type": "http.response.body", "body": b""}  # more_body: False
    assert len(app.open_connections) == 0


async def test_shutdown_closes_an_open_websocket_with_1001() -> None:
    app = endless_app()
    state, lifespan, lifespan_task = await start_with_lifespan(app)
    client = Peer({"type": "websocket.connect"}, {"type": "websocket.receive", "text": "hi"})
    session = asyncio.create_task(
        app(connection_scope("websocket", "/echo", state), client.receive, client.send)
    )
    await client.until(lambda: {"type": "websocket.send", "text": "hi"} in client.sent)
    await shut_down(lifespan, lifespan_task)
    async with asyncio.timeout(BOUND):
        await session
    assert client.sent[-1]["type"] == "websocket.close"
    assert client.sent[-1]["code"] == 1001


async def test_a_stream_opened_after_close_ends_at_once() -> None:
    connections = OpenConnections()
    connections.close()
    reached_the_end = False
    with connections.track() as scope:
        await anyio.sleep_forever()
        reached_the_end = True
    assert scope.cancelled_caught
    assert not reached_the_end
    assert await connections.aclose(within=BOUND)


async def test_aclose_reports_a_stream_that_does_not_end_in_time() -> None:
    connections = OpenConnections()
    started, release = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:
        with connections.track():
            started.set()
            with anyio.CancelScope(shield=True):
                await release.wait()

    task = asyncio.create_task(stubborn())
    await started.wait()
    assert not await connections.aclose(within=0.05)
    assert len(connections) == 1
    release.set()
    async with asyncio.timeout(BOUND):
        await task
    assert len(connections) == 0
