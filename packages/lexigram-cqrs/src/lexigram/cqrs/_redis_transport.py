"""``RedisStreamTransport``: integration events on a Redis Stream (redis-py asyncio).

Publishing is one ``XADD`` (with an approximate ``MAXLEN``) per event, pipelined for a batch.
Consuming is a consumer group (``XREADGROUP``), acknowledged after the handler succeeded
(``XACK``); see ``_redis_consumer`` for retries, dead letters and claims.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Sequence
from typing import Any, Literal

import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from ._errors import TransportError
from ._integration import Envelope
from ._redis_consumer import Consumer
from ._redis_fields import Settings
from ._transport import EnvelopeHandler

REDIS_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


class RedisStreamTransport:
    """Integration events on the Redis Stream ``stream``; satisfies ``EventTransport``.

    - ``client`` (a ``redis.asyncio.Redis`` made with ``decode_responses=False``, not closed
      here) or ``url=`` (a client made and closed here, with socket timeouts and no retries);
    - ``maxlen``: the stream is trimmed to about this many entries (``XADD MAXLEN ~``); an
      entry trimmed before a slow group read it is lost for that group (a warning says so);
    - ``max_deliveries``: a message whose handler failed this many times goes to
      ``dead_letter_stream`` (default ``<stream>:dead``) with the error and the count;
    - ``claim_idle``: seconds after which a message not acknowledged (its handler failed,
      or its consumer died) is claimed by another consumer of the group (``XAUTOCLAIM``).
      A live consumer keeps the messages it holds from being claimed, so this need not
      exceed your slowest handler: it is how long a dead consumer's messages wait;
    - ``batch_size``: entries read at once; ``block``: seconds one read waits for new ones;
    - ``timeout``: the bound on every command (publish raises ``TransportError``
      after it, or after the client's socket timeout when that is set and at most
      ``timeout + block``, as it is for a client made from ``url=``);
      ``reconnect_max_backoff``: the cap of the consumers' reconnect backoff;
    - ``start_at``: where a group created by this transport starts: ``"first"`` (every entry
      still in the stream, the default: nothing published before the group existed is
      missed) or ``"new"`` (only entries added from now on).
    """

    def __init__(
        self,
        client: aioredis.Redis | None = None,
        *,
        url: str | None = None,
        stream: str = "lexigram:events",
        dead_letter_stream: str | None = None,
        maxlen: int = 100_000,
        max_deliveries: int = 5,
        claim_idle: float = 30.0,
        batch_size: int = 32,
        block: float = 2.0,
        timeout: float = 5.0,
        reconnect_max_backoff: float = 5.0,
        start_at: Literal["first", "new"] = "first",
    ) -> None:
        if (client is None) == (url is None):
            raise ValueError(
                "RedisStreamTransport needs exactly one of client= (a redis.asyncio.Redis) or "
                "url= (e.g. 'redis://localhost:6379/0')"
            )
        _check(maxlen, max_deliveries, claim_idle, batch_size, block, timeout, start_at)
        if client is not None and client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError(
                "RedisStreamTransport reads payloads as bytes: pass a client made with "
                "decode_responses=False (the default), or url="
            )
        if client is None:
            assert url is not None
            client = aioredis.Redis.from_url(  # pyright: ignore[reportUnknownMemberType]
                url,
                socket_timeout=timeout + block,
                socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
            )
            self._owned = True
        else:
            self._owned = False
        self.client: aioredis.Redis = client
        options = client.connection_pool.connection_kwargs
        # Decided once: a client whose sockets time out needs no asyncio.timeout per event.
        self._socket_bounded = all(
            options.get(name) is not None and options[name] <= timeout + block
            for name in ("socket_timeout", "socket_connect_timeout")
        )
        self.stream = stream
        self.dead_letter_stream = dead_letter_stream or f"{stream}:dead"
        self.timeout = timeout
        self.maxlen = maxlen
        self.settings = Settings(
            stream=stream,
            dead_letter_stream=self.dead_letter_stream,
            maxlen=maxlen,
            max_deliveries=max_deliveries,
            claim_idle=claim_idle,
            batch_size=batch_size,
            block=block,
            timeout=timeout,
            reconnect_max_backoff=reconnect_max_backoff,
            group_start="0" if start_at == "first" else "$",
        )

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        """``XADD`` each envelope, in one round trip for the batch.

        ``TransportError`` if Redis does not take them within ``timeout`` (some may have been
        stored)."""
        if not envelopes:
            return
        client, stream, maxlen = self.client, self.stream, self.maxlen
        try:
            if len(envelopes) == 1:
                if self._socket_bounded:  # the client's socket timeouts bound the command
                    await client.xadd(stream, fields_of(envelopes[0]), maxlen=maxlen)
                else:
                    async with asyncio.timeout(self.timeout):
                        await client.xadd(stream, fields_of(envelopes[0]), maxlen=maxlen)
                return
            async with asyncio.timeout(self.timeout):
                async with client.pipeline(transaction=False) as pipe:
                    for envelope in envelopes:
                        pipe.xadd(stream, fields_of(envelope), maxlen=maxlen)
                    await pipe.execute()
        except REDIS_ERRORS as exc:
            names = ", ".join(sorted({e.name for e in envelopes}))
            raise TransportError(
                f"could not publish {len(envelopes)} event(s) ({names}) to the Redis stream "
                f"{stream!r} within {self.timeout:g} s: {type(exc).__name__}: {exc}. Redis is "
                "down or unreachable; write events to an outbox (OutboxRelay sends them when "
                "Redis is back) if they must not be lost"
            ) from exc

    async def consume(
        self,
        handler: EnvelopeHandler,
        *,
        group: str,
        consumer: str | None = None,
        stop: asyncio.Event,
    ) -> None:
        """Deliver the group's messages to ``handler`` until ``stop`` is set.

        ``consumer`` names this consumer in the group (default: host, process id and a
        random part). Redis being down is logged and retried with backoff; the consumer
        resumes (re-creating the group if Redis lost it).
        """
        if not group:
            raise ValueError("consume() needs a group name, e.g. group='billing'")
        name = consumer or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        await Consumer(self.client, self.settings, handler, group, name, stop).run()

    async def ping(self) -> bool:
        """Whether Redis answers ``PING`` within ``timeout``."""
        try:
            async with asyncio.timeout(self.timeout):
                return bool(await self.client.ping())  # pyright: ignore[reportUnknownMemberType]
        except REDIS_ERRORS:
            return False

    async def aclose(self) -> None:
        """Close the client if this transport made it (``url=``)."""
        if self._owned:
            await self.client.aclose()


def fields_of(envelope: Envelope) -> dict[Any, Any]:
    """The entry's fields; the correlation id only when it is not the message's own id (a
    root event), the causation id only when there is one."""
    fields: dict[Any, Any] = {
        b"name": envelope.name,
        b"data": envelope.data,
        b"id": envelope.message_id,
        b"time": envelope.timestamp,
    }
    if envelope.correlation_id != envelope.message_id:
        fields[b"correlation"] = envelope.correlation_id
    if envelope.causation_id:
        fields[b"causation"] = envelope.causation_id
    return fields


def _check(
    maxlen: int,
    max_deliveries: int,
    claim_idle: float,
    batch_size: int,
    block: float,
    timeout: float,
    start_at: str,
) -> None:
    if maxlen < 1 or max_deliveries < 1 or batch_size < 1:
        raise ValueError("maxlen, max_deliveries and batch_size must be at least 1")
    if claim_idle <= 0 or block <= 0 or timeout <= 0:
        raise ValueError("claim_idle, block and timeout are positive numbers of seconds")
    if start_at not in ("first", "new"):
        raise ValueError(f"start_at is 'first' or 'new', got {start_at!r}")
