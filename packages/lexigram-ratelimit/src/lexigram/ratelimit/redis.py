"""Redis backend for ``lexigram.ratelimit``.

Needs the ``redis`` extra: ``pip install "lexigram-ratelimit[redis]"``.
"""

from __future__ import annotations

try:
    import redis.asyncio  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as exc:  # pragma: no cover - exercised by the no-extras run
    raise ImportError(
        'lexigram.ratelimit.redis needs redis-py: pip install "lexigram-ratelimit[redis]"'
    ) from exc

from ._redis import RedisBackend
from ._redis_limit import RedisLimit

__all__ = ["RedisBackend", "RedisLimit"]
