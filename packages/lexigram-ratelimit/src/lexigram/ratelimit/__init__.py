"""Exact, fast rate limits on memory or Redis.

Core (no dependencies): rate strings, four algorithms (fixed window, sliding window counter,
sliding log, GCRA / token bucket), the per-process ``MemoryBackend``, the failure policy,
IETF / draft-06 / ``X-RateLimit-*`` headers and a plain ASGI middleware. Extras:
``lexigram.ratelimit.redis`` (``RedisBackend``, extra ``redis``) and
``lexigram.ratelimit.di`` (``RateLimitModule``, ``RateLimitProvider``, extra ``di``).
"""

# First: fails fast, naming the fix, when another project's `lexigram` is in the way.
from . import _namespace  # noqa: F401  # pyright: ignore[reportUnusedImport]

# isort: split

from ._algorithm import Algorithm
from ._backend import BoundLimit, RateLimitBackend
from ._decision import RateLimitDecision
from ._guard import OnBackendError, RateLimitHealth
from ._headers import HeaderDialect, RateLimitHeaders
from ._limiter import RateLimiter
from ._memory import MemoryBackend, MemoryLimit
from ._middleware import RateLimitMiddleware, client_ip
from ._paths import PathMatcher
from ._policy import RatePolicy
from ._problem import too_many_requests
from ._rate import Rate, RateItem, parse_rate

__all__ = [
    "Algorithm",
    "BoundLimit",
    "HeaderDialect",
    "MemoryBackend",
    "MemoryLimit",
    "OnBackendError",
    "PathMatcher",
    "Rate",
    "RateItem",
    "RateLimitBackend",
    "RateLimitDecision",
    "RateLimitHeaders",
    "RateLimitHealth",
    "RateLimitMiddleware",
    "RateLimiter",
    "RatePolicy",
    "client_ip",
    "parse_rate",
    "too_many_requests",
]
