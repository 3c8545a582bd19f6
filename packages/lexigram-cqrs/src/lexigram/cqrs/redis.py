"""Durable integration events on Redis Streams.

Needs the ``redis`` extra: ``pip install "lexigram-cqrs[redis]"``.

- ``RedisStreamTransport`` satisfies ``lexigram.cqrs.EventTransport``: events are
  appended to a stream; consumer groups read them, acknowledge after success, retry a bounded
  number of times, then dead-letter; a dead consumer's messages are claimed by the others.
- ``RedisIdempotency`` applies an effect once per idempotency key.
"""

from __future__ import annotations

try:
    import redis.asyncio  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as exc:  # pragma: no cover - exercised by the no-extras run
    raise ImportError(
        'lexigram.cqrs.redis needs redis-py: pip install "lexigram-cqrs[redis]"'
    ) from exc

from ._redis_idempotency import DeliveryInProgressError, RedisIdempotency
from ._redis_transport import RedisStreamTransport

__all__ = ["DeliveryInProgressError", "RedisIdempotency", "RedisStreamTransport"]
