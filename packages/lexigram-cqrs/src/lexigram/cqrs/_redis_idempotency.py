"""``RedisIdempotency``: an effect applied once per idempotency key, whatever the redeliveries.

``async with seen.once(f"mailer:{idempotency_key(event)}") as first: if first: ...``:

1. ``SET key pending NX PX lease``: the first delivery takes the key and runs the block;
2. on success ``SET key done EX ttl``: every later delivery finds ``done`` and skips;
3. on an exception the key is deleted, so the retry runs the block again;
4. if the consumer dies inside the block, the lease runs out and a redelivery runs it again.

The block and the ``done`` mark are two steps: a crash between them repeats the effect once.
For an effect in a database, record the key in the same transaction as the effect instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import redis.asyncio as aioredis

from ._errors import CQRSError

_PENDING = b"pending"
_DONE = b"done"


class DeliveryInProgressError(CQRSError):
    """Another consumer is applying the same key right now; the message is retried later."""


class RedisIdempotency:
    """Keys of applied effects in Redis (``prefix`` + key), kept ``ttl`` seconds.

    ``lease``: seconds a started block holds its key; keep it below the transport's
    ``claim_idle`` so a redelivery after a crash finds the key free.
    """

    __slots__ = ("_client", "_lease_ms", "_prefix", "_timeout", "_ttl")

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = "lexigram:applied:",
        ttl: float = 7 * 24 * 3600.0,
        lease: float = 30.0,
        timeout: float = 5.0,
    ) -> None:
        if ttl <= 0 or lease <= 0 or timeout <= 0:
            raise ValueError("ttl, lease and timeout are positive numbers of seconds")
        self._client: Any = client
        self._prefix = prefix
        self._ttl = int(ttl)
        self._lease_ms = max(int(lease * 1000), 1)
        self._timeout = timeout

    @contextlib.asynccontextmanager
    async def once(self, key: str) -> AsyncGenerator[bool, None]:
        """Whether to run the effect of ``key``: ``True`` the first time it is seen.

        Yields ``False`` once the effect was applied, and raises ``DeliveryInProgressError``
        while another consumer holds the key."""
        full = self._prefix + key
        if not await self._begin(full):
            yield False
            return
        try:
            yield True
        except BaseException:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self._timeout):
                    await self._client.delete(full)
            raise
        async with asyncio.timeout(self._timeout):
            await self._client.set(full, _DONE, ex=self._ttl)

    async def applied(self, key: str) -> bool:
        """Whether ``key`` was applied (and not yet expired)."""
        async with asyncio.timeout(self._timeout):
            return bool(await self._client.get(self._prefix + key) == _DONE)

    async def _begin(self, full: str) -> bool:
        async with asyncio.timeout(self._timeout):
            for _ in range(2):  # a lease may run out between SET and GET: try once more
                if await self._client.set(full, _PENDING, nx=True, px=self._lease_ms):
                    return True
                state = await self._client.get(full)
                if state == _DONE:
                    return False
                if state is not None:
                    break
        raise DeliveryInProgressError(
            f"{full!r} is being applied by another consumer; this delivery is retried after "
            "claim_idle"
        )
