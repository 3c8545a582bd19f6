"""One consumer of a consumer group: read, handle, acknowledge, retry, dead-letter, claim.

- New entries are read with ``XREADGROUP >`` in batches; each handled entry is acknowledged
  (one ``XACK`` per batch, after its handlers succeeded).
- A failed entry is left pending; once idle for ``claim_idle`` it is claimed again
  (``XAUTOCLAIM``) by whichever consumer of the group gets there first, which also takes over
  the entries of consumers that died. The delivery count (``XPENDING``) bounds the retries:
  past ``max_deliveries`` the entry goes to the dead-letter stream with the error, and is
  acknowledged, in one ``MULTI``. An undecodable entry is dead-lettered at once.
- Entries this consumer holds are kept from being claimed while it lives (``XCLAIM JUSTID``
  every third of ``claim_idle``). On stop, the entry in hand is finished and acknowledged; the
  rest of its batch is handed back (``XCLAIM IDLE``) for the others to take at once.
- Redis being unreachable is logged once per outage and retried with a doubling backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.exceptions import RedisError, ResponseError

from ._errors import EventDecodeError
from ._integration import Delivery
from ._redis_fields import Settings, describe, entries_of, envelope_of, text
from ._transport import EnvelopeHandler

_log = logging.getLogger("lexigram.cqrs.redis")
_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
_FIRST_BACKOFF = 0.05


class Consumer:
    """The state of one ``consume()`` call."""

    def __init__(
        self,
        client: Any,
        settings: Settings,
        handler: EnvelopeHandler,
        group: str,
        name: str,
        stop: asyncio.Event,
    ) -> None:
        self.client = client
        self.s = settings
        self.handler = handler
        self.group = group
        self.name = name
        self.stop = stop
        self.held: dict[Any, None] = {}  # read, not yet acknowledged (insertion ordered)
        self.acks: list[Any] = []
        self.backoff = _FIRST_BACKOFF

    async def run(self) -> None:
        stop_waiter = asyncio.ensure_future(self.stop.wait())
        keepalive = asyncio.ensure_future(self._keepalive())
        outage = False
        try:
            while not self.stop.is_set():
                try:
                    await self._ensure_group()
                    if outage:
                        _log.warning("consumer %s: Redis answers again, resuming", self.name)
                        outage = False
                    await self._serve(stop_waiter)
                except _ERRORS as exc:
                    # NOGROUP: Redis lost the group (restarted empty); it is created again.
                    if not outage and not _is_nogroup(exc):
                        refused = isinstance(exc, ResponseError)
                        why = "refused a command" if refused else "is unreachable"
                        _log.warning(
                            "consumer %s of group %s: Redis %s (%s: %s); retrying with backoff",
                            self.name, self.group, why, type(exc).__name__, exc,
                        )  # fmt: skip
                        outage = True
                    self.held.clear()  # claimed again after claim_idle (by anyone, us too)
                    await _sleep_unless(self.stop, stop_waiter, self.backoff)
                    self.backoff = min(self.backoff * 2, self.s.reconnect_max_backoff)
        finally:
            keepalive.cancel()
            stop_waiter.cancel()
            await asyncio.gather(keepalive, stop_waiter, return_exceptions=True)
            await self._hand_back()

    async def _ensure_group(self) -> None:
        try:
            async with asyncio.timeout(self.s.timeout):
                await self.client.xgroup_create(
                    self.s.stream, self.group, id=self.s.group_start, mkstream=True
                )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _serve(self, stop_waiter: asyncio.Future[Any]) -> None:
        loop = asyncio.get_running_loop()
        claim_every = self.s.claim_idle / 2
        next_claim = 0.0
        busy = False
        await self._flush_acks()  # handled before an outage: acknowledged now
        while not self.stop.is_set():
            if loop.time() >= next_claim:
                await self._claim()
                next_claim = loop.time() + claim_every
                continue
            if busy:  # the last read filled a batch: more is likely there, read without waiting
                entries = await self._read_now()
            else:
                wait = min(self.s.block, max(next_claim - loop.time(), 0.001))
                entries = await self._read(stop_waiter, wait)
            self.backoff = _FIRST_BACKOFF
            busy = len(entries) == self.s.batch_size
            await self._handle_batch([(entry_id, fields, 1) for entry_id, fields in entries])

    async def _read_now(self) -> list[Any]:
        """``XREADGROUP`` without ``BLOCK``: answers at once, so no race with ``stop`` is needed."""
        async with asyncio.timeout(self.s.timeout):
            reply = await self.client.xreadgroup(
                self.group, self.name, {self.s.stream: ">"}, count=self.s.batch_size
            )
        return entries_of(reply)

    async def _read(self, stop_waiter: asyncio.Future[Any], wait: float) -> list[Any]:
        read = asyncio.ensure_future(
            self.client.xreadgroup(
                self.group, self.name, {self.s.stream: ">"},
                count=self.s.batch_size, block=max(int(wait * 1000), 1),
            )
        )  # fmt: skip
        try:
            async with asyncio.timeout(wait + self.s.timeout):
                await asyncio.wait((read, stop_waiter), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not read.done():
                read.cancel()
                with contextlib.suppress(asyncio.CancelledError, *_ERRORS):
                    await read
        if read.cancelled():
            return []
        return entries_of(read.result())

    async def _handle_batch(self, batch: list[tuple[Any, Any, int]]) -> None:
        if not batch:
            return
        for entry_id, _, _ in batch:
            self.held[entry_id] = None
        for entry_id, fields, attempt in batch:
            if self.stop.is_set():
                break  # the rest is handed back when run() ends
            await self._handle(entry_id, fields, attempt)
        await self._flush_acks()

    async def _handle(self, entry_id: Any, fields: dict[Any, Any], attempt: int) -> None:
        envelope = envelope_of(fields)
        if envelope is None:
            await self._dead_letter(entry_id, fields, "malformed entry (no name/data/id)", attempt)
            return
        if attempt > self.s.max_deliveries:
            reason = f"not acknowledged after {attempt - 1} deliveries (its consumers stopped)"
            await self._dead_letter(entry_id, fields, reason, attempt - 1)
            return
        delivery = Delivery(
            envelope.message_id, attempt, self.s.stream, text(entry_id), self.group, self.name
        )
        try:
            await self.handler(envelope, delivery)
        except EventDecodeError as exc:
            await self._dead_letter(entry_id, fields, str(exc), attempt)
        except Exception as exc:
            if attempt >= self.s.max_deliveries:
                await self._dead_letter(entry_id, fields, describe(exc), attempt)
                return
            del self.held[entry_id]  # let it idle: it is claimed again after claim_idle
            _log.warning(
                "%s (%s) failed on delivery %d of %d, delivered again after %g s: %s",
                envelope.name, text(entry_id), attempt, self.s.max_deliveries,
                self.s.claim_idle, describe(exc),
            )  # fmt: skip
        else:
            self.acks.append(entry_id)

    async def _dead_letter(self, entry_id: Any, fields: dict[Any, Any], error: str, n: int) -> None:
        record = {
            **fields,
            b"error": error,
            b"deliveries": n,
            b"source": self.s.stream,
            b"group": self.group,
            b"entry": entry_id,
        }
        async with asyncio.timeout(self.s.timeout):
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.xadd(self.s.dead_letter_stream, record, maxlen=self.s.maxlen)
                pipe.xack(self.s.stream, self.group, entry_id)
                await pipe.execute()
        self.held.pop(entry_id, None)
        _log.error(
            "moved %s to %s after %d deliveries: %s",
            text(entry_id), self.s.dead_letter_stream, n, error,
        )  # fmt: skip

    async def _flush_acks(self) -> None:
        acks = self.acks
        if not acks:
            return
        async with asyncio.timeout(self.s.timeout):
            await self.client.xack(self.s.stream, self.group, *acks)
        for entry_id in acks:
            self.held.pop(entry_id, None)
        acks.clear()

    async def _claim(self) -> None:
        """Take over entries idle for ``claim_idle`` (failed ones, a dead consumer's)."""
        start: Any = "0-0"
        idle_ms = int(self.s.claim_idle * 1000)
        while not self.stop.is_set():
            async with asyncio.timeout(self.s.timeout):
                reply = await self.client.xautoclaim(
                    self.s.stream, self.group, self.name, idle_ms, start, count=self.s.batch_size
                )
            start, claimed = reply[0], reply[1]
            deleted: list[Any] = reply[2] if len(reply) > 2 else []
            gone = [*deleted, *(i for i, fields in claimed if fields is None and i is not None)]
            if gone:
                _log.warning(
                    "group %s: %d pending entries of %s were trimmed before being handled "
                    "(raise maxlen)", self.group, len(gone), self.s.stream,
                )  # fmt: skip
                async with asyncio.timeout(self.s.timeout):
                    await self.client.xack(self.s.stream, self.group, *gone)
            live = [(entry_id, fields) for entry_id, fields in claimed if fields is not None]
            if live:
                counts = await self._delivery_counts([entry_id for entry_id, _ in live])
                await self._handle_batch([(i, f, counts.get(i, 1)) for i, f in live])
            if text(start) == "0-0":
                return

    async def _delivery_counts(self, ids: list[Any]) -> dict[Any, int]:
        async with asyncio.timeout(self.s.timeout):
            rows = await self.client.xpending_range(
                self.s.stream, self.group, min=ids[0], max=ids[-1],
                count=len(ids) + len(self.held) + self.s.batch_size, consumername=self.name,
            )  # fmt: skip
        wanted = set(ids)
        return {r["message_id"]: r["times_delivered"] for r in rows if r["message_id"] in wanted}

    async def _keepalive(self) -> None:
        """Reset the idle time of held entries so that no other consumer claims them."""
        while True:
            await asyncio.sleep(self.s.claim_idle / 3)
            held = list(self.held)
            if held:
                with contextlib.suppress(*_ERRORS):
                    async with asyncio.timeout(self.s.timeout):
                        await self.client.xclaim(
                            self.s.stream, self.group, self.name, 0, held, justid=True
                        )

    async def _hand_back(self) -> None:
        """On stop: acknowledge what was handled, let others take the rest at once."""
        with contextlib.suppress(*_ERRORS):
            await self._flush_acks()
            held = list(self.held)
            if held:
                async with asyncio.timeout(self.s.timeout):
                    await self.client.xclaim(
                        self.s.stream, self.group, self.name, 0, held,
                        idle=int(self.s.claim_idle * 1000), justid=True,
                    )  # fmt: skip
                self.held.clear()


def _is_nogroup(exc: BaseException) -> bool:
    return isinstance(exc, ResponseError) and str(exc).startswith("NOGROUP")


async def _sleep_unless(
    stop: asyncio.Event, stop_waiter: asyncio.Future[Any], seconds: float
) -> None:
    if not stop.is_set():
        await asyncio.wait((stop_waiter,), timeout=seconds)
