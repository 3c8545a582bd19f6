"""The subscriber link of the Redis broadcaster: ONE connection carrying every subscription.

A background task owns the connection. Per connection it runs a reader (every reply: messages
go to the local fan-out, subscribe confirmations wake the subscriptions waiting for them,
silence longer than ``ping_interval`` is answered with a PING that must be answered within
``timeout``) and a writer (SUBSCRIBE/UNSUBSCRIBE whenever the set of channels with local
subscribers changes, and the PINGs). When the connection fails it is dropped and rebuilt
after a growing, jittered pause (``retry_backoff``); the new connection subscribes every
channel that has local subscribers. Messages published while the link is down are lost
(Redis pub/sub keeps nothing): consumers that must not miss one catch up from a durable
source after a reconnection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

from redis.exceptions import RedisError

from .fanout import LocalFanout

__all__ = ["SubscriberLink"]

_log = logging.getLogger("lexigram.web.broadcast")
_FAILURES = (RedisError, OSError, TimeoutError)


class SubscriberLink:
    """Keeps one subscriber connection alive and in step with ``fanout``'s channels."""

    def __init__(
        self,
        pool: Any,
        fanout: LocalFanout,
        *,
        prefix: str,
        timeout: float,
        ping_interval: float,
        retry_backoff: tuple[float, float],
        where: str,
    ) -> None:
        self._pool = pool
        self._fanout = fanout
        self._prefix = prefix
        self._cut = len(prefix.encode())
        self._timeout = timeout
        self._ping_interval = ping_interval
        self._backoff = retry_backoff
        self.where = where
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._ping_due = False
        self._subscribed: set[str] = set()
        self._confirmations: dict[str, asyncio.Event] = {}
        self.connected = False
        self.down = False
        """Whether the last attempt failed (the link waits before the next one)."""
        self.closing = False
        self.answered = False
        self.last_error: str | None = None
        self.connections = 0
        """Connections made so far (the first one and every reconnection)."""

    def start(self) -> None:
        """Start the background task (idempotent; needs a running event loop)."""
        if self._task is None and not self.closing:
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(self._run(), name="lexigram broadcast subscriber")

    def changed(self, channel: str) -> None:
        """The channels with local subscribers changed: bring Redis in step."""
        self._changed.set()

    async def confirmed(self, channel: str) -> None:
        """Wait (at most ``timeout``) until Redis confirmed ``channel``; return at once when
        the link is down: the subscription starts receiving after the reconnection."""
        self.start()
        if channel in self._subscribed or self.down:
            return
        event = self._confirmations.get(channel)
        if event is None:
            event = self._confirmations[channel] = asyncio.Event()
        try:
            async with asyncio.timeout(self._timeout):
                await event.wait()
        except TimeoutError:
            _log.debug("Redis did not confirm channel %r within %ss", channel, self._timeout)

    async def aclose(self) -> None:
        self.closing = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait((task,), timeout=self._timeout * 2)

    # -- the connection loop -----------------------------------------------------------------
    def _stopping(self) -> bool:
        return self.closing

    async def _run(self) -> None:
        first, longest = self._backoff
        delay = first
        while not self.closing:
            connection = self._pool.make_connection()
            self.answered = False
            try:
                async with asyncio.timeout(self._timeout):
                    await connection.connect()
                if self._stopping():
                    return  # a cancellation swallowed while connecting (see _write)
                self._up()
                await self._session(connection)
            except _FAILURES as exc:
                self._down(exc)
            except Exception as exc:
                _log.exception("broadcast: the Redis subscriber failed unexpectedly")
                self._down(exc)
            finally:
                self.connected = False
                self._subscribed.clear()
                with contextlib.suppress(Exception):
                    await connection.disconnect(nowait=True)
            if self.answered:
                delay = first
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, longest)

    def _up(self) -> None:
        self.connections += 1
        self.connected = True
        self.down = False
        if self.last_error is not None or self.connections > 1:
            _log.warning("broadcast: connected to Redis at %s again", self.where)
        self.last_error = None

    def _down(self, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"
        self.down = True
        waiting, self._confirmations = self._confirmations, {}
        for event in waiting.values():
            event.set()  # no confirmation is coming on this connection
        if self.connected or self.last_error is None:
            _log.warning(
                "broadcast: lost Redis at %s (%s); reconnecting, live messages published"
                " meanwhile are lost",
                self.where,
                text,
            )
        self.last_error = text

    async def _session(self, connection: Any) -> None:
        self._ping_due = False
        self._changed.set()  # subscribe every channel that has local subscribers
        reader = asyncio.ensure_future(self._read(connection))
        writer = asyncio.ensure_future(self._write(connection))
        try:
            done, _ = await asyncio.wait((reader, writer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            reader.cancel()
            writer.cancel()
            await asyncio.wait((reader, writer), timeout=self._timeout)
        for task in done:
            if not task.cancelled():
                task.result()
        raise ConnectionError("the broadcast subscriber stopped")  # pragma: no cover

    async def _read(self, connection: Any) -> None:
        deliver = self._fanout.deliver
        cut = self._cut
        pinged = False
        while True:
            wait = self._timeout if pinged else self._ping_interval
            reply: Any = await connection.read_response(timeout=wait)
            if reply is None:
                if pinged:
                    raise TimeoutError(f"Redis did not answer PING within {self._timeout}s")
                pinged = self._ping_due = True
                self._changed.set()
                continue
            pinged = False
            self.answered = True
            kind = reply[0]
            if kind == b"message":
                deliver(reply[1][cut:].decode(), reply[2])
            elif kind == b"subscribe":
                channel = reply[1][cut:].decode()
                self._subscribed.add(channel)
                event = self._confirmations.pop(channel, None)
                if event is not None:
                    event.set()
            elif kind == b"unsubscribe":
                self._subscribed.discard(reply[1][cut:].decode())

    async def _write(self, connection: Any) -> None:
        requested: set[str] = set()
        prefix = self._prefix
        this = asyncio.current_task()
        while True:
            if self.closing or (this is not None and this.cancelling()):
                # redis-py's socket writes use asyncio.wait_for, which can swallow a
                # cancellation on Python 3.11: honour the one that was asked for
                raise asyncio.CancelledError
            await self._changed.wait()
            self._changed.clear()
            wanted = set(self._fanout.channels)
            add = sorted(wanted - requested)
            remove = sorted(requested - wanted)
            async with asyncio.timeout(self._timeout):
                if add:
                    names = [prefix + channel for channel in add]
                    await connection.send_command("SUBSCRIBE", *names, check_health=False)
                if remove:
                    names = [prefix + channel for channel in remove]
                    await connection.send_command("UNSUBSCRIBE", *names, check_health=False)
                if self._ping_due:
                    self._ping_due = False
                    await connection.send_command("PING", check_health=False)
            requested = wanted
