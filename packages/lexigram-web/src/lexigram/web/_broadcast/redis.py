"""``RedisBroadcaster``: fan-out across processes and hosts on Redis pub/sub (redis-py asyncio).

Needs the ``redis`` extra; ``lexigram.web.redis`` re-exports it and raises ``ImportError``
naming ``pip install "lexigram-web[redis]"`` when redis-py is missing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.connection import BlockingConnectionPool, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .._config.broadcast import BroadcastConfig
from ._link import SubscriberLink
from .errors import BroadcastUnavailableError
from .fanout import LocalFanout, OverflowPolicy, Subscription, check_publish
from .status import BroadcastStatus

__all__ = ["RedisBroadcaster"]

_log = logging.getLogger("lexigram.web.broadcast")


class RedisBroadcaster:
    """Publishes through Redis, so subscribers in every process and host receive each message.

    Per process: ONE Redis connection carries every subscription (a background reader hands
    each message to the local subscribers' bounded queues), and publishes share a pool of at
    most ``publish_connections`` connections. Channels are ``channel_prefix + channel`` in
    Redis. Payloads are bytes, sent as they are.

    Failures: while Redis is unreachable the reader reconnects with a growing, jittered pause
    (``retry_backoff``) and then subscribes every channel again; ``status()`` (and the app's
    health probes) report degraded meanwhile, and messages published during the outage are
    lost. ``publish`` never waits longer than ``timeout``: when Redis does not take the
    message in time it raises ``BroadcastUnavailableError`` (a 503 problem when it escapes a
    request handler) and counts it in ``publish_failures``. See ``BroadcastConfig`` for the
    other settings. Connections are named ``<client_name>-sub`` and ``<client_name>-pub``
    (``CLIENT LIST``).
    """

    def __init__(
        self,
        url: str,
        *,
        channel_prefix: str = "lexigram:",
        queue_size: int = 1000,
        on_overflow: OverflowPolicy = "drop_oldest",
        timeout: float = 1.0,
        ping_interval: float = 5.0,
        retry_backoff: tuple[float, float] = (0.05, 5.0),
        publish_connections: int = 4,
        client_name: str = "lexigram-broadcast",
    ) -> None:
        settings = BroadcastConfig(
            backend="redis",
            url=url,
            channel_prefix=channel_prefix,
            queue_size=queue_size,
            on_overflow=on_overflow,
            timeout=timeout,
            ping_interval=ping_interval,
            retry_backoff=retry_backoff,
            publish_connections=publish_connections,
        )
        self.timeout = timeout
        self.channel_prefix = channel_prefix
        self._closed = False
        self._failing = False
        self.published = 0
        self.publish_failures = 0
        options: dict[str, Any] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
            "protocol": 2,
        }
        sub_pool: Any = ConnectionPool.from_url(  # pyright: ignore[reportUnknownMemberType]
            url, client_name=f"{client_name}-sub", **options
        )
        self._fanout = LocalFanout(
            settings.queue_size,
            settings.on_overflow,
            on_first=self._channels_changed,
            on_last=self._channels_changed,
            ready=self._ready,
        )
        self._link = SubscriberLink(
            sub_pool,
            self._fanout,
            prefix=channel_prefix,
            timeout=timeout,
            ping_interval=ping_interval,
            retry_backoff=settings.retry_backoff,
            where=_where(sub_pool.connection_kwargs),
        )
        pub_pool: Any = BlockingConnectionPool.from_url(  # pyright: ignore[reportUnknownMemberType]
            url,
            client_name=f"{client_name}-pub",
            max_connections=publish_connections,
            timeout=timeout,
            **options,
        )
        self._pools = (sub_pool, pub_pool)
        self._client: Any = aioredis.Redis(connection_pool=pub_pool, retry=Retry(NoBackoff(), 0))

    @classmethod
    def from_config(cls, config: BroadcastConfig, **options: Any) -> RedisBroadcaster:
        """A broadcaster for a ``broadcast`` section whose ``backend`` is ``"redis"``."""
        if config.backend != "redis" or config.url is None:
            raise ValueError(
                "RedisBroadcaster.from_config needs broadcast.backend: redis and broadcast.url"
            )
        return cls(
            config.url,
            channel_prefix=config.channel_prefix,
            queue_size=config.queue_size,
            on_overflow=config.on_overflow,
            timeout=config.timeout,
            ping_interval=config.ping_interval,
            retry_backoff=config.retry_backoff,
            publish_connections=config.publish_connections,
            **options,
        )

    # -- the Broadcaster protocol ---------------------------------------------------------------
    async def publish(self, channel: str, payload: bytes) -> int:
        """Publish ``payload`` on ``channel``; answers how many processes are subscribed to it.

        ``BroadcastUnavailableError`` when Redis did not take it within ``timeout``."""
        check_publish(channel, payload)
        if self._closed:
            raise BroadcastUnavailableError("the broadcaster is closed")
        try:
            async with asyncio.timeout(self.timeout):
                receivers = await self._client.publish(self.channel_prefix + channel, payload)
        except (RedisError, OSError, TimeoutError) as exc:
            self.publish_failures += 1
            if not self._failing:
                self._failing = True
                _log.warning(
                    "broadcast: publishing on %r failed (%s: %s); later failures are counted"
                    " in publish_failures until a publish succeeds",
                    channel,
                    type(exc).__name__,
                    exc,
                )
            raise BroadcastUnavailableError() from exc
        self._failing = False
        self.published += 1
        return int(receivers)

    def subscribe(self, channel: str) -> Subscription:
        """A subscription to ``channel`` (see ``Broadcaster.subscribe``); entering it waits,
        at most ``timeout``, until Redis confirms the channel (not at all while Redis is
        down: the subscription then starts receiving once the reader has reconnected)."""
        return self._fanout.subscription(channel)

    # -- lifecycle and health ---------------------------------------------------------------------
    async def start(self) -> None:
        """Start the subscriber connection (it is also started by the first subscription);
        returns at once: while Redis is down the broadcaster is degraded, not failing.
        A closed broadcaster does not start again (``RuntimeError``): build a new one."""
        if self._closed:
            raise RuntimeError(
                "this RedisBroadcaster was closed and cannot start again: build a new one"
                " (or let the app build it from its broadcast configuration)"
            )
        self._link.start()

    async def aclose(self) -> None:
        """End every subscription, stop the reader, close every connection."""
        self._closed = True
        self._fanout.close()
        await self._link.aclose()
        await self._client.aclose()
        for pool in self._pools:
            await pool.disconnect()

    @property
    def connected(self) -> bool:
        """Whether the subscriber connection is up (messages from other processes arrive)."""
        return self._link.connected

    def status(self) -> BroadcastStatus:
        link = self._link
        fanout = self._fanout
        counters: dict[str, int | str] = {
            "channels": len(fanout.channels),
            "dropped": fanout.dropped,
            "disconnected": fanout.disconnected,
            "published": self.published,
            "publish_failures": self.publish_failures,
            "connections": link.connections,
        }
        if link.connected:
            return BroadcastStatus("redis", True, f"subscribed at {link.where}", counters)
        if link.last_error is not None:
            counters["last_error"] = link.last_error
        state = "reconnecting to" if not self._closed else "closed; was using"
        return BroadcastStatus("redis", False, f"{state} Redis at {link.where}", counters)

    # -- the fan-out's hooks ----------------------------------------------------------------------
    def _channels_changed(self, channel: str) -> None:
        self._link.changed(channel)

    async def _ready(self, channel: str) -> None:
        await self._link.confirmed(channel)


def _where(kwargs: dict[str, Any]) -> str:
    """Where the connections go, without credentials."""
    path = kwargs.get("path")
    if path:
        return str(path)
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
