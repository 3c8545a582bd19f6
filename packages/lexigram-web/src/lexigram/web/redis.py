"""Fan-out across processes and hosts on Redis pub/sub: ``RedisBroadcaster``.

Needs the ``redis`` extra: ``pip install "lexigram-web[redis]"``. Usually configured rather
than built: ``broadcast: {backend: redis, url: redis://localhost:6379/0}`` in the ``web``
section of ``application.yaml`` (or ``WebConfig(broadcast=BroadcastConfig(...))``).
"""

from __future__ import annotations

try:
    import redis.asyncio  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as exc:
    raise ImportError(
        'lexigram.web.redis needs redis-py: pip install "lexigram-web[redis]"'
    ) from exc

from ._broadcast.redis import RedisBroadcaster

__all__ = ["RedisBroadcaster"]
