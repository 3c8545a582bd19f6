"""lexigram-di integration: ``RateLimitModule``, ``RateLimitProvider`` and their options.

Needs the ``di`` extra: ``pip install "lexigram-ratelimit[di]"``.
"""

from __future__ import annotations

try:
    import lexigram.di  # noqa: F401  # pyright: ignore[reportUnusedImport]
except ImportError as exc:  # pragma: no cover - exercised by the no-extras run
    raise ImportError(
        'lexigram.ratelimit.di needs lexigram-di: pip install "lexigram-ratelimit[di]"'
    ) from exc

from ._di import RateLimitModule, RateLimitOptions, RateLimitProvider

__all__ = ["RateLimitModule", "RateLimitOptions", "RateLimitProvider"]
