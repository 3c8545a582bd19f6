"""The Redis backend (redis-py asyncio): one EVALSHA round trip per check."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError
from redis.retry import Retry

from ._algorithm import SHORT_NAMES, CanonicalAlgorithm
from ._decision import RateLimitDecision, combine, new_decision
from ._lua import SCRIPTS, Script
from ._rate import Rate

__all__ = ["RedisBackend", "RedisLimit"]

RedisClient = aioredis.Redis | RedisCluster
_HIT, _PEEK = b"0", b"1"


class _Detached:
    """Stands in for the client until one is attached (``RedisBackend.deferred``)."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        raise ConnectionError(
            "no Redis client attached to the rate-limit backend yet: pass client= or url= to "
            "RedisBackend, or register a redis.asyncio.Redis in the container"
        )


class RedisBackend:
    """Rate-limit state in Redis, shared by every worker and process.

    - ``client``: a ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` (not closed by
      the backend; size its pool for your concurrency: an exhausted pool fails checks), or
      ``url=`` to let the backend create (and close) one with ``socket_timeout`` /
      ``socket_connect_timeout`` = ``timeout``, no retries, and a blocking pool of
      ``max_connections`` (a burst waits up to ``timeout`` for a connection);
      ``cluster=True`` makes that a ``RedisCluster``;
    - ``timeout``: the bound on one check; a client not created here is wrapped in an
      ``asyncio.timeout`` per call, so a dead Redis never hangs a request;
    - ``key_prefix``: prefix of every key; keys look like ``{<prefix><key>}:fw:100:60`` (the
      hash tag keeps every window of a key in one Cluster slot);
    - ``clock``: leave ``None`` in production (the scripts read Redis' ``TIME``, one clock
      for every worker); tests pass a clock (seconds) to drive time deterministically.

    Each check is one ``EVALSHA`` (re-sent as ``EVAL``, which caches the script, after a
    ``NOSCRIPT``), timed by the server's ``TIME``.
    """

    def __init__(
        self,
        client: RedisClient | None = None,
        *,
        url: str | None = None,
        cluster: bool = False,
        timeout: float = 0.25,
        key_prefix: str = "lexigram:rl:",
        max_connections: int = 64,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if (client is None) == (url is None):
            raise ValueError(
                "RedisBackend needs exactly one of client= (a redis.asyncio.Redis or "
                "RedisCluster) or url= (e.g. 'redis://localhost:6379/0')"
            )
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        self.timeout = timeout
        self.key_prefix = key_prefix
        self.clock = clock
        self._client: Any = _Detached()
        self._owned = False
        self._timed = True
        if url is not None:
            client = _client_from_url(
                url, cluster=cluster, timeout=timeout, max_connections=max_connections
            )
            self.attach(client, owned=True)
        elif client is not None:
            self.attach(client)

    @classmethod
    def deferred(cls, *, timeout: float = 0.25, key_prefix: str = "lexigram:rl:") -> RedisBackend:
        """A backend whose client is ``attach``-ed later (until then every check fails with
        a ``ConnectionError``, answered by the limiter's failure policy)."""
        backend = cls.__new__(cls)
        backend.timeout = timeout
        backend.key_prefix = key_prefix
        backend.clock = None
        backend._client = _Detached()
        backend._owned = False
        backend._timed = True
        return backend

    def attach(self, client: RedisClient, *, owned: bool = False) -> None:
        """Use ``client`` from now on; ``owned``: the backend closes it in ``aclose``."""
        self._client = client
        self._owned = owned
        self._timed = not (owned and isinstance(client, aioredis.Redis))

    @property
    def client(self) -> RedisClient | None:
        """The Redis client in use (``None`` until one is attached)."""
        return None if isinstance(self._client, _Detached) else self._client

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """Redis errors, socket errors and timeouts: answered by the failure policy."""
        return (RedisError, OSError, TimeoutError)

    def bind(
        self, rate: Rate, algorithm: CanonicalAlgorithm, burst: int | None = None
    ) -> RedisLimit:
        return RedisLimit(self, rate, algorithm, burst)

    async def execute(self, *args: Any) -> Any:
        """Run one command under the backend's timeout."""
        if self._timed:
            async with asyncio.timeout(self.timeout):
                return await self._client.execute_command(*args)
        return await self._client.execute_command(*args)

    async def evalsha(self, script: Script, keys: list[str], args: tuple[bytes, ...]) -> Any:
        """Run ``script``: one round trip (two after a ``NOSCRIPT``: ``EVAL`` caches it)."""
        try:
            return await self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self.execute("EVAL", script.source, len(keys), *keys, *args)

    async def ping(self) -> None:
        """``PING`` under the timeout; raises one of ``errors`` when Redis does not answer."""
        await self.execute("PING")

    async def aclose(self) -> None:
        """Close the client when this backend created it (``url=``)."""
        if self._owned:
            client, self._client, self._owned = self._client, _Detached(), False
            await client.aclose()


def _client_from_url(
    url: str, *, cluster: bool, timeout: float, max_connections: int
) -> RedisClient:
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
    }
    if cluster:
        return RedisCluster.from_url(url, max_connections=max_connections, **options)
    # A blocking pool: a burst of checks waits (up to ``timeout``) for a free connection
    # instead of failing with "Too many connections".
    pool = aioredis.BlockingConnectionPool.from_url(  # pyright: ignore[reportUnknownMemberType]
        url, max_connections=max_connections, timeout=timeout, **options
    )
    return aioredis.Redis.from_pool(pool)


class RedisLimit:
    """One rate bound to a ``RedisBackend``; every window checked in one script call."""

    __slots__ = (
        "_args",
        "_backend",
        "_clock",
        "_head",
        "_script",
        "_suffixes",
        "_windows",
        "rate",
    )

    def __init__(
        self, backend: RedisBackend, rate: Rate, algorithm: CanonicalAlgorithm, burst: int | None
    ) -> None:
        self.rate = rate
        self._backend = backend
        self._clock = backend.clock
        self._script = SCRIPTS[algorithm]
        self._head = "{" + backend.key_prefix
        short = SHORT_NAMES[algorithm]
        suffixes: list[str] = []
        args: list[bytes] = []
        for item in rate.items:
            window_us = item.seconds * 1_000_000
            if algorithm == "gcra":
                capacity = burst if burst is not None else item.amount
                interval = max(1, round(window_us / item.amount))
                numbers = (capacity, interval, capacity * interval)
                suffixes.append(f"}}:{short}:{item.amount}:{item.seconds}:{capacity}")
            else:
                numbers = (item.amount, window_us, 0)
                suffixes.append(f"}}:{short}:{item.amount}:{item.seconds}")
            args.extend(str(number).encode() for number in numbers)
        self._suffixes = tuple(suffixes)
        self._windows = tuple(args)
        self._args = (b"1", _HIT, b"", *args)

    def keys(self, key: str) -> list[str]:
        """The Redis keys of ``key``, one per window (one hash tag)."""
        head = self._head + key
        return [head + suffix for suffix in self._suffixes]

    def _decide(self, reply: list[int]) -> RateLimitDecision:
        if len(reply) == 6:
            return new_decision(
                RateLimitDecision,
                (reply[1] == 1, reply[2], reply[3], reply[4] / 1_000_000, reply[5] / 1_000_000, ()),
            )
        return combine(
            [
                RateLimitDecision(
                    reply[i] == 1,
                    reply[i + 1],
                    reply[i + 2],
                    reply[i + 3] / 1_000_000,
                    reply[i + 4] / 1_000_000,
                )
                for i in range(1, len(reply), 5)
            ]
        )

    def _now(self) -> bytes:
        return b"" if self._clock is None else str(round(self._clock() * 1_000_000)).encode()

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecision:
        if cost == 1 and self._clock is None:
            args = self._args
        else:
            args = (str(cost).encode(), _HIT, self._now(), *self._windows)
        reply = await self._backend.evalsha(self._script, self.keys(key), args)
        return self._decide(reply)

    async def peek(self, key: str) -> RateLimitDecision:
        args = (b"0", _PEEK, self._now(), *self._windows)
        reply = await self._backend.evalsha(self._script, self.keys(key), args)
        return self._decide(reply)

    async def reset(self, key: str) -> None:
        await self._backend.execute("DEL", *self.keys(key))
