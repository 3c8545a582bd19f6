"""``EventSourceResponse``: a ``text/event-stream`` response fed by an (async) iterable.

While the stream runs, three things happen concurrently: the content is iterated and each item
sent as one event; a heartbeat comment is sent every ``heartbeat`` seconds (proxies and
browsers drop idle connections); and ``receive`` is watched for ``http.disconnect``. When the
client goes away the iteration is cancelled and the generator is closed (its ``finally`` blocks
run) before the response returns. When the app shuts down, the stream is ended the same way
and its last (empty) chunk is sent, so the client sees a complete response. An error raised by
the content after the headers went out cannot become an error response: it is logged and the
stream ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from typing import Any, Final

import anyio
from starlette.background import BackgroundTask
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .._http.connections import OpenConnections, open_connections
from .event import encode_comment, encode_event

__all__ = ["EventSourceResponse"]

_log = logging.getLogger("lexigram.web")
_CLOSE_TIMEOUT: Final = 5.0
_BODY: Final = "http.response.body"


class EventSourceResponse(Response):
    """Stream ``content`` as server-sent events.

    ``content`` yields ``ServerSentEvent`` objects or plain values (each the data of an
    unnamed event; see ``ServerSentEvent``). ``heartbeat``: seconds between keep-alive
    comments (``None`` for none). ``Cache-Control: no-cache`` and ``X-Accel-Buffering: no``
    are set unless ``headers`` say otherwise. Return it from any handler, or use the ``@sse``
    route decorator, which also passes ``Last-Event-ID`` and can cap concurrent streams.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        content: AsyncIterable[Any] | Iterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        *,
        heartbeat: float | None = 15.0,
        heartbeat_comment: str = "ping",
        background: BackgroundTask | None = None,
    ) -> None:
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError(f"heartbeat must be a positive number of seconds, got {heartbeat}")
        self.content = content
        self.status_code = status_code
        self.heartbeat = heartbeat
        self._heartbeat_frame = encode_comment(heartbeat_comment)
        self.background = background
        merged = {"cache-control": "no-cache", "x-accel-buffering": "no"}
        for name, value in (headers or {}).items():
            merged[name.lower()] = value
        self.init_headers(merged)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content = self.content
        iterator: AsyncIterator[Any] = (
            aiter(content) if isinstance(content, AsyncIterable) else iterate_in_threadpool(content)
        )
        try:
            await send(
                {"type": "http.response.start", "status": self.status_code,
                 "headers": self.raw_headers}
            )  # fmt: skip
            if scope.get("method") == "HEAD":
                await send({"type": _BODY, "body": b""})
                return
            connections = open_connections(scope)
            if connections is None:
                finished = await self._stream(iterator, receive, send)
            else:
                finished = await self._tracked(connections, iterator, receive, send)
            if finished:
                await send({"type": _BODY, "body": b""})
        finally:
            await _close(content, iterator)
        if self.background is not None:
            await self.background()

    async def _tracked(
        self,
        connections: OpenConnections,
        iterator: AsyncIterator[Any],
        receive: Receive,
        send: Send,
    ) -> bool:
        """``_stream`` that the app's shutdown can end (then the stream finishes normally)."""
        finished = True
        with connections.track():
            finished = await self._stream(iterator, receive, send)
        return finished

    async def _stream(self, iterator: AsyncIterator[Any], receive: Receive, send: Send) -> bool:
        """Send every item; ``False`` when the client disconnected first."""
        lock = anyio.Lock()
        gone = False

        async def write(chunk: bytes) -> None:
            async with lock:
                await send({"type": _BODY, "body": chunk, "more_body": True})

        async def watch(scope: anyio.CancelScope) -> None:
            nonlocal gone
            try:
                while (await receive())["type"] != "http.disconnect":
                    pass
            except Exception:
                _log.debug("reading the event stream's receive channel failed", exc_info=True)
            gone = True
            scope.cancel()

        async def beat(interval: float, scope: anyio.CancelScope) -> None:
            nonlocal gone
            try:
                while True:
                    await anyio.sleep(interval)
                    await write(self._heartbeat_frame)
            except OSError:
                gone = True
                scope.cancel()

        async with anyio.create_task_group() as group:
            group.start_soon(watch, group.cancel_scope)
            if self.heartbeat is not None:
                group.start_soon(beat, self.heartbeat, group.cancel_scope)
            try:
                async for item in iterator:
                    await write(encode_event(item))
            except OSError:
                gone = True
            except Exception:
                _log.exception("the event stream's content failed; ending the stream")
            group.cancel_scope.cancel()
        return not gone


def _is_async_iterable(value: object) -> bool:
    return isinstance(value, AsyncIterable)


async def _close(content: Any, iterator: AsyncIterator[Any]) -> None:
    """Close the content so its ``finally`` blocks run now, even if this task is cancelled."""
    with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
        try:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()
            if not _is_async_iterable(content):
                close = getattr(content, "close", None)
                if close is not None:
                    close()
            elif content is not iterator:
                content_aclose = getattr(content, "aclose", None)
                if content_aclose is not None:
                    await content_aclose()
        except Exception:
            _log.exception("closing the event stream's content failed")
