"""The background work of integration events in an application: a consumer and an outbox relay.

Started when the application boots, stopped when it shuts down: the consumer finishes the
message in hand, the relay the batch in hand, within ``stop_timeout`` seconds (then they are
cancelled; what they held is delivered again, nothing is lost).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from lexigram.di import HealthCheckResult

from .._errors import RegistrationError
from .._event_bus import EventBus
from .._outbox import OutboxRelay, OutboxStore
from .._transport import EventTransport

_log = logging.getLogger("lexigram.cqrs")


@dataclass(frozen=True, slots=True)
class IntegrationSettings:
    """What ``CQRSModule.configure(transport=..., consumer_group=..., outbox=...)`` asked for."""

    transport: EventTransport | None
    consumer_group: str | None
    consumer_name: str | None
    outbox: OutboxStore | None
    relay_interval: float
    stop_timeout: float

    def __post_init__(self) -> None:
        if self.transport is None and (self.consumer_group or self.outbox is not None):
            what = "consumer_group=" if self.consumer_group else "outbox="
            raise RegistrationError(
                f"{what} needs a transport to consume from or relay to: pass transport= "
                '(e.g. lexigram.cqrs.redis.RedisStreamTransport(url="redis://..."))'
            )
        if self.consumer_group is not None and not self.consumer_group.strip():
            raise RegistrationError("consumer_group must be a non-empty group name, e.g. 'billing'")
        if self.consumer_name is not None and self.consumer_group is None:
            raise RegistrationError(
                "consumer_name= names this process in a consumer group: pass consumer_group= too"
            )
        if self.relay_interval <= 0 or self.stop_timeout <= 0:
            raise RegistrationError("relay_interval and stop_timeout are positive seconds")


class IntegrationRunner:
    """Runs the consumer and the relay of one application as tasks."""

    def __init__(self, settings: IntegrationSettings) -> None:
        self.settings = settings
        self.relay: OutboxRelay | None = None
        if settings.outbox is not None and settings.transport is not None:
            self.relay = OutboxRelay(
                settings.outbox, settings.transport, interval=settings.relay_interval
            )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, bus: EventBus) -> None:
        s = self.settings
        self._stop = asyncio.Event()
        if s.consumer_group is not None and s.transport is not None:
            consume = s.transport.consume(
                bus.receive, group=s.consumer_group, consumer=s.consumer_name, stop=self._stop
            )
            self._spawn(consume, f"consumer of group {s.consumer_group}")
        if self.relay is not None:
            self._spawn(self.relay.run(self._stop), "outbox relay")

    def _spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = asyncio.create_task(work, name=f"lexigram.cqrs {what}")
        task.add_done_callback(lambda done: _report(done, what))
        self._tasks.append(task)

    async def stop(self) -> None:
        self._stop.set()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=self.settings.stop_timeout)
            for task in late:
                _log.warning(
                    "%s did not stop within %g s; cancelled (what it held is delivered again)",
                    task.get_name(),
                    self.settings.stop_timeout,
                )
                task.cancel()
            if late:
                await asyncio.gather(*late, return_exceptions=True)
        aclose = getattr(self.settings.transport, "aclose", None)
        if callable(aclose):
            closing = aclose()
            if inspect.isawaitable(closing):
                await closing

    async def health(self, timeout: float) -> HealthCheckResult:  # noqa: ASYNC109
        dead = [t.get_name() for t in self._tasks if t.done()]
        if dead:
            return HealthCheckResult.unhealthy(f"stopped unexpectedly: {', '.join(dead)}")
        ping: Callable[[], Awaitable[bool]] | None = getattr(self.settings.transport, "ping", None)
        if ping is None:
            return HealthCheckResult.healthy()
        try:
            async with asyncio.timeout(timeout):
                answers = await ping()
        except Exception:
            answers = False
        if not answers:
            return HealthCheckResult.degraded(
                "the event transport does not answer: integration events are not sent "
                "(those in the outbox wait) and not consumed until it is back"
            )
        return HealthCheckResult.healthy("the event transport answers")


def _report(task: asyncio.Task[None], what: str) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        _log.error("%s stopped with an error", what, exc_info=error)
