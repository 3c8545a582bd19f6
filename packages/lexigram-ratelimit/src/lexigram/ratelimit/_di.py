"""``RateLimitProvider`` / ``RateLimitModule``: the limiter in a lexigram-di container."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, Unpack

from lexigram.di import Container, DynamicModule, HealthCheckResult, Provider

from ._algorithm import Algorithm, normalize_algorithm
from ._backend import RateLimitBackend
from ._guard import OnBackendError
from ._headers import HeaderDialect, RateLimitHeaders
from ._limiter import RateLimiter
from ._memory import MemoryBackend
from ._paths import DEFAULT_EXCLUDE, PathMatcher
from ._rate import Rate, parse_rate

__all__ = ["RateLimitModule", "RateLimitOptions", "RateLimitProvider"]

logger = logging.getLogger("lexigram.ratelimit")

BackendName = Literal["redis", "memory"]
_INSTALL_REDIS = 'backend="redis" needs redis-py: pip install "lexigram-ratelimit[redis]"'


class RateLimitOptions(TypedDict, total=False):
    """The keyword options of ``RateLimitProvider`` and ``RateLimitModule.configure``.

    Each is optional; the default follows the name.

    - ``backend`` (``None``): ``"memory"`` or ``"redis"``; ``None`` picks ``"redis"`` when a
      Redis client or URL is given, else ``"memory"``.
    - ``default_limit`` (``None``): a rate such as ``"100/minute"`` that the web layer enforces
      on every route not excluded.
    - ``redis_url`` (``None``): a URL the provider opens (and closes at shutdown).
    - ``on_backend_error`` (``"open"``): ``"open"``, ``"closed"`` or ``"memory"`` when Redis fails.
    - ``exclude`` (health and docs paths): paths never limited.
    - ``algorithm`` (``"sliding_window"``), ``headers`` (``"ietf"``), ``headers_on_allowed``
      (``True``), ``key_prefix`` (``"lexigram:rl:"``), ``timeout`` (``0.25`` seconds per Redis
      call).
    """

    backend: BackendName | None
    default_limit: str | Rate | None
    redis_url: str | None
    on_backend_error: OnBackendError
    exclude: Sequence[str]
    algorithm: Algorithm
    headers: HeaderDialect
    headers_on_allowed: bool
    key_prefix: str
    timeout: float


def _check_option_names(options: Mapping[str, object], where: str) -> None:
    unknown = sorted(set(options) - RateLimitOptions.__optional_keys__)
    if unknown:
        raise TypeError(
            f"{where} got unknown option(s) {', '.join(unknown)}; the options are "
            f"redis_client, enabled, {', '.join(sorted(RateLimitOptions.__optional_keys__))}"
        )


class RateLimitProvider(Provider):
    """Registers a ``RateLimiter`` (under the class ``RateLimiter``) in the container.

    The options are those of [RateLimitOptions][lexigram.ratelimit.di.RateLimitOptions].
    ``backend`` is ``"memory"`` unless a Redis client or URL is given (then ``"redis"``).
    With ``backend="redis"`` and neither ``redis_client`` nor ``redis_url``, the client is
    resolved at boot from the container (a ``redis.asyncio.Redis`` or ``RedisCluster``,
    unnamed or named ``"redis_client"``). Every option is validated here, at construction.
    ``shutdown`` closes only what the provider opened (a client made from ``redis_url``).
    ``enabled=False`` registers nothing.
    """

    name = "ratelimit"

    def __init__(
        self,
        redis_client: Any = None,
        enabled: bool = True,
        **options: Unpack[RateLimitOptions],
    ) -> None:
        _check_option_names(options, "RateLimitProvider()")
        backend = options.get("backend")
        redis_url = options.get("redis_url")
        default_limit = options.get("default_limit")
        on_backend_error = options.get("on_backend_error", "open")
        exclude = options.get("exclude", DEFAULT_EXCLUDE)
        algorithm = options.get("algorithm", "sliding_window")
        headers = options.get("headers", "ietf")
        if backend is None:
            backend = "redis" if redis_client is not None or redis_url is not None else "memory"
        if backend not in ("redis", "memory"):
            raise ValueError(f"backend={backend!r}: use 'memory' or 'redis'")
        if backend == "memory" and (redis_client is not None or redis_url is not None):
            raise ValueError(
                "redis_client/redis_url given with backend='memory': pass backend='redis' "
                "(or drop the Redis options)"
            )
        if redis_client is not None and redis_url is not None:
            raise ValueError("pass redis_client= or redis_url=, not both")
        if on_backend_error not in ("open", "closed", "memory"):
            raise ValueError(
                f"on_backend_error={on_backend_error!r}: use 'open', 'closed' or 'memory'"
            )
        if default_limit is not None:
            parse_rate(default_limit)
        normalize_algorithm(algorithm)
        RateLimitHeaders(Rate.parse("1/second"), headers)
        PathMatcher(exclude)
        if backend == "redis":
            try:
                import redis.asyncio  # noqa: F401  # pyright: ignore[reportUnusedImport]
            except ImportError as exc:
                raise ImportError(_INSTALL_REDIS) from exc
        self.enabled = enabled
        self.backend_name: BackendName = backend
        self.redis_client = redis_client
        self.redis_url = redis_url
        self.options: dict[str, Any] = {
            "default_rate": default_limit,
            "exclude": tuple(exclude),
            "algorithm": algorithm,
            "headers": headers,
            "headers_on_allowed": options.get("headers_on_allowed", True),
            "on_backend_error": on_backend_error,
        }
        self.key_prefix = options.get("key_prefix", "lexigram:rl:")
        self.timeout = options.get("timeout", 0.25)
        self.limiter: RateLimiter | None = None
        self._deferred = False

    def _backend(self) -> RateLimitBackend:
        if self.backend_name == "memory":
            return MemoryBackend()
        from ._redis import RedisBackend

        if self.redis_client is not None:
            return RedisBackend(self.redis_client, timeout=self.timeout, key_prefix=self.key_prefix)
        if self.redis_url is not None:
            return RedisBackend(
                url=self.redis_url, timeout=self.timeout, key_prefix=self.key_prefix
            )
        self._deferred = True
        return RedisBackend.deferred(timeout=self.timeout, key_prefix=self.key_prefix)

    def register(self, container: Container) -> None:
        """Register the ``RateLimiter`` singleton (nothing when disabled)."""
        if not self.enabled:
            return
        self.limiter = RateLimiter(self._backend(), **self.options)
        container.singleton(RateLimiter, instance=self.limiter)

    async def boot(self, container: Container) -> None:
        """Attach a Redis client found in the container when none was configured."""
        if self.limiter is None or not self._deferred:
            return
        from redis.asyncio import Redis, RedisCluster

        from ._redis import RedisBackend

        for service in (Redis, RedisCluster):
            for name in (None, "redis_client"):
                if container.has(service, name):
                    client: Any = await container.aresolve(service, name)
                    backend = self.limiter.backend
                    assert isinstance(backend, RedisBackend)
                    backend.attach(client)
                    self._deferred = False
                    return
        raise LookupError(
            "RateLimitModule(backend='redis') found no Redis client: pass redis_client= or "
            "redis_url= to RateLimitModule.configure(...), or register one with "
            "container.singleton(redis.asyncio.Redis, instance=client)"
        )

    async def shutdown(self) -> None:
        """Close the client the provider created from ``redis_url`` (never a given one)."""
        if self.limiter is not None:
            await self.limiter.aclose()

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        """``PING`` the backend.

        Healthy when it answers; otherwise degraded (failing open or over to memory) or
        unhealthy (failing closed: every request is denied)."""
        limiter = self.limiter
        if limiter is None:
            return HealthCheckResult.healthy("rate limiting disabled", enabled=False)
        try:
            async with asyncio.timeout(timeout):
                answers = await limiter.ping()
        except TimeoutError:
            answers = False
        state = limiter.health()
        details: dict[str, str] = {
            "backend": self.backend_name,
            "on_backend_error": state.on_backend_error,
            "state": state.status,
        }
        if state.last_error is not None:
            details["last_error"] = state.last_error
        if answers:
            return HealthCheckResult.healthy(f"{self.backend_name} backend answers", **details)
        message = f"{self.backend_name} backend does not answer; failing {state.on_backend_error}"
        if state.on_backend_error == "closed":
            return HealthCheckResult.unhealthy(message, **details)
        return HealthCheckResult.degraded(message, **details)


class RateLimitModule(DynamicModule):
    """The rate-limit module: ``RateLimitModule.configure(backend="redis", default_limit=...)``.

    The web layer enforces ``default_limit`` on every route not excluded (health and docs by
    default) by reading the registered ``RateLimiter``'s ``default_rate`` and ``exclude``.
    """

    @classmethod
    def configure(
        cls,
        *,
        redis_client: Any = None,
        enabled: bool = True,
        **options: Unpack[RateLimitOptions],
    ) -> RateLimitModule:
        """A module holding one ``RateLimitProvider`` built from these arguments.

        The options are those of [RateLimitOptions][lexigram.ratelimit.di.RateLimitOptions].
        """
        _check_option_names(options, "RateLimitModule.configure()")
        return cls(providers=[RateLimitProvider(redis_client, enabled, **options)])

    @classmethod
    def stub(
        cls,
        *,
        default_limit: str | Rate | None = None,
        exclude: Sequence[str] = DEFAULT_EXCLUDE,
        algorithm: Algorithm = "sliding_window",
        headers: HeaderDialect = "ietf",
        enabled: bool = True,
        **_ignored: Any,
    ) -> RateLimitModule:
        """The module on the memory backend (no Redis), for tests; Redis options are ignored."""
        return cls.configure(
            backend="memory",
            default_limit=default_limit,
            exclude=exclude,
            algorithm=algorithm,
            headers=headers,
            enabled=enabled,
        )
