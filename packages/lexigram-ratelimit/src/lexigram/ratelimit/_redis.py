"""The Redis backend (redis-py asyncio): one EVALSHA round trip per check."""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError
from redis.retry import Retry

from ._algorithm import CanonicalAlgorithm
from ._lua import Script
from ._rate import Rate
from ._redis_limit import RedisLimit

__all__ = ["RedisBackend"]

RedisClient = aioredis.Redis | RedisCluster


class _Gate:
    """At most ``free`` commands in flight; the others wait their turn in order."""

    __slots__ = ("_waiters", "free")

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def wait(self) -> None:
        """Wait for a slot handed over by ``release`` (the caller bounds the wait)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future
        except BaseException:
            if future.done() and not future.cancelled():
                self.release()  # a slot was handed over as the wait was cancelled
            raise

    def release(self) -> None:
        waiters = self._waiters
        while waiters:
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                return
        self.free += 1


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
      ``socket_connect_timeout`` = ``timeout``, no retries, and at most
      ``max_connections`` connections (a burst waits up to ``timeout`` for one);
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
        self._setup(timeout, key_prefix, clock, max_connections)
        if url is not None:
            client = _client_from_url(
                url, cluster=cluster, timeout=timeout, max_connections=max_connections
            )
            self.attach(client, owned=True)
        elif client is not None:
            self.attach(client)

    @classmethod
    def deferred(cls, *, timeout: float = 0.25, key_prefix: str = "lexigram:rl:") -> RedisBackend:
        """A backend whose client is ``attach``-ed later.

        Until then every check fails with a ``ConnectionError``, answered by the limiter's
        failure policy."""
        backend = cls.__new__(cls)
        backend._setup(timeout, key_prefix, None, 64)
        return backend

    def _setup(
        self,
        timeout: float,
        key_prefix: str,
        clock: Callable[[], float] | None,
        max_connections: int,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        if not key_prefix:
            raise ValueError("key_prefix must not be empty (it is part of every key's hash tag)")
        if max_connections < 1:
            raise ValueError(f"max_connections must be >= 1, got {max_connections}")
        self.timeout = timeout
        self.key_prefix = key_prefix
        self.clock = clock
        self.max_connections = max_connections
        self._client: Any = _Detached()
        self._owned = False
        self._gate: _Gate | None = None
        self._pool: Any = None
        self._pool_args: tuple[str, ...] = ()

    def attach(self, client: RedisClient | _Detached, *, owned: bool = False) -> None:
        """Use ``client`` from now on; ``owned``: the backend closes it in ``aclose``."""
        self._client = client
        self._owned = owned
        # A client made here has socket timeouts and no retries: each command is bounded
        # already, and a semaphore (its wait bounded by ``timeout``) keeps a burst within
        # its pool. Any other client is bounded by an ``asyncio.timeout`` per command.
        self._gate = None
        self._pool = None
        if owned and isinstance(client, aioredis.Redis):
            # Our own client: commands go straight to a pooled connection (what the client
            # does, minus the retries it has none of and its per-command hooks).
            pool: Any = client.connection_pool
            self._gate = _Gate(self.max_connections)
            self._pool = pool
            self._pool_args = _get_connection_args(pool)

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
        """Run one command, bounded by the backend's timeout."""
        gate = self._gate
        if gate is None:
            async with asyncio.timeout(self.timeout):
                return await self._client.execute_command(*args)
        if gate.free:
            gate.free -= 1
        else:
            async with asyncio.timeout(self.timeout):
                await gate.wait()
        pool = self._pool
        try:
            connection = await pool.get_connection(*self._pool_args)
            try:
                await connection.send_command(*args)
                return await connection.read_response()
            finally:
                await pool.release(connection)
        finally:
            gate.release()

    async def evalsha(self, script: Script, keys: Sequence[str], args: tuple[bytes, ...]) -> Any:
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
            client = self._client
            self.attach(_Detached())
            await client.aclose()


def _get_connection_args(pool: Any) -> tuple[str, ...]:
    """redis-py < 5.3 wants a command name in ``get_connection``; later ones warn on it."""
    parameter = inspect.signature(pool.get_connection).parameters.get("command_name")
    if parameter is not None and parameter.default is inspect.Parameter.empty:
        return ("EVALSHA",)
    return ()


def _client_from_url(
    url: str, *, cluster: bool, timeout: float, max_connections: int
) -> RedisClient:
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
        "max_connections": max_connections,
    }
    if cluster:
        return RedisCluster.from_url(url, **options)
    return aioredis.Redis.from_url(url, **options)  # pyright: ignore[reportUnknownMemberType]
