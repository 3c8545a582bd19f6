"""The limiter: configuration shared by every policy it builds."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from ._algorithm import Algorithm, CanonicalAlgorithm, normalize_algorithm
from ._backend import BoundLimit, RateLimitBackend
from ._decision import RateLimitDecision
from ._guard import BackendGuard, OnBackendError, RateLimitHealth
from ._headers import HeaderDialect, RateLimitHeaders
from ._memory import MemoryBackend
from ._paths import DEFAULT_EXCLUDE, PathMatcher
from ._policy import RatePolicy
from ._rate import Rate, parse_rate

__all__ = ["RateLimiter"]


class RateLimiter:
    """Builds rate policies on one backend, with one failure policy and header dialect.

    - ``backend``: a ``MemoryBackend`` (default) or a ``RedisBackend``
      (``lexigram.ratelimit.redis``), or any ``RateLimitBackend``;
    - ``default_rate``: the rate enforced on every route not ``exclude``-d (by the web layer
      or ``RateLimitMiddleware``); validated here, at construction;
    - ``exclude``: paths and globs never limited by the default rate (health and docs by
      default; see ``PathMatcher``);
    - ``algorithm``: the default algorithm of the policies built here;
    - ``headers``: ``"ietf"`` | ``"draft06"`` | ``"x-ratelimit"`` | ``"none"``;
      ``headers_on_allowed``: also send them on allowed responses;
    - ``on_backend_error``: ``"open"`` | ``"closed"`` | ``"memory"`` when the backend fails
      (ignored for the memory backend, which cannot); ``retry_backoff``: (initial, maximum)
      seconds between probes of a failed backend; ``fallback``: the ``MemoryBackend`` used
      by ``"memory"``; ``clock``: the clock of the probe backoff (the backends keep their
      own: ``MemoryBackend(clock=...)``, Redis' ``TIME``).
    """

    DEFAULT_EXCLUDE: ClassVar[tuple[str, ...]] = DEFAULT_EXCLUDE
    """Health and documentation paths, excluded from the default rate unless told otherwise."""

    def __init__(
        self,
        backend: RateLimitBackend | None = None,
        *,
        default_rate: str | Rate | None = None,
        exclude: Sequence[str] = DEFAULT_EXCLUDE,
        algorithm: Algorithm = "sliding_window",
        headers: HeaderDialect = "ietf",
        headers_on_allowed: bool = True,
        on_backend_error: OnBackendError = "open",
        retry_backoff: tuple[float, float] = (0.5, 30.0),
        fallback: MemoryBackend | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend: RateLimitBackend = backend if backend is not None else MemoryBackend()
        self.algorithm: CanonicalAlgorithm = normalize_algorithm(algorithm)
        self.header_dialect: HeaderDialect = headers
        self.headers_on_allowed = headers_on_allowed
        RateLimitHeaders(Rate.parse("1/second"), headers)  # validate the dialect now
        self._matcher = PathMatcher(exclude)
        self._guard: BackendGuard | None = None
        if self.backend.errors:
            self._guard = BackendGuard(
                type(self.backend).__name__,
                self.backend.errors,
                on_backend_error,
                fallback=fallback,
                backoff=retry_backoff,
                clock=clock,
            )
        elif on_backend_error not in ("open", "closed", "memory"):
            raise ValueError(
                f"on_backend_error={on_backend_error!r}: use 'open', 'closed' or 'memory'"
            )
        self.on_backend_error: OnBackendError = on_backend_error
        self._policies: dict[str, RatePolicy] = {}
        self.default_rate: str | None = None
        self._default_policy: RatePolicy | None = None
        if default_rate is not None:
            self._default_policy = self.policy(default_rate)
            self.default_rate = str(self._default_policy.rate)

    @property
    def per_process(self) -> bool:
        """Whether the counts live in this process only (the memory backend): with several
        worker processes each keeps its own, so a client gets the limit once per worker."""
        return isinstance(self.backend, MemoryBackend)

    @property
    def exclude(self) -> Sequence[str]:
        """The excluded paths and globs, as given."""
        return self._matcher.entries

    def is_excluded(self, path: str) -> bool:
        """Whether the default rate skips ``path`` (see ``PathMatcher`` for the rules)."""
        return self._matcher(path)

    @property
    def default_policy(self) -> RatePolicy | None:
        """The policy of ``default_rate`` (``None`` when there is no default rate)."""
        return self._default_policy

    def policy(
        self,
        rate: str | Rate,
        *,
        algorithm: Algorithm | None = None,
        burst: int | None = None,
        name: str = "default",
    ) -> RatePolicy:
        """A policy for ``rate``; call once per route at startup.

        ``ValueError`` for a malformed rate (naming the accepted format), an unknown
        algorithm, or a ``burst`` given to anything but a single-window GCRA rate.
        """
        parsed = parse_rate(rate)
        canonical = self.algorithm if algorithm is None else normalize_algorithm(algorithm)
        if burst is not None:
            if canonical != "gcra" or len(parsed.items) != 1:
                raise ValueError(
                    "burst applies to a single-window rate with algorithm='gcra' "
                    f"(or 'token_bucket'), not {str(parsed)!r} with {canonical!r}"
                )
            if burst < 1:
                raise ValueError(f"burst must be >= 1, got {burst}")
        bound: BoundLimit = self.backend.bind(parsed, canonical, burst)
        if self._guard is not None:
            fallback = None
            if self._guard.on_backend_error == "memory":
                fallback = self._guard.fallback.bind(parsed, canonical, burst)
            bound = self._guard.wrap(bound, parsed, fallback)
        renderer = RateLimitHeaders(
            parsed, self.header_dialect, name=name, on_allowed=self.headers_on_allowed
        )
        return RatePolicy(parsed, canonical, bound, renderer, name)

    async def hit(self, key: str, rate: str | Rate, cost: int = 1) -> RateLimitDecision:
        """Convenience: ``policy(rate).hit(key, cost)`` with the policy built once per rate."""
        return await self._cached(rate).hit(key, cost)

    async def peek(self, key: str, rate: str | Rate) -> RateLimitDecision:
        """Convenience: ``policy(rate).peek(key)`` with the policy built once per rate."""
        return await self._cached(rate).peek(key)

    def _cached(self, rate: str | Rate) -> RatePolicy:
        text = rate if isinstance(rate, str) else str(rate)
        policy = self._policies.get(text)
        if policy is None:
            policy = self._policies[text] = self.policy(rate)
        return policy

    def health(self) -> RateLimitHealth:
        """Whether the backend is in use or the failure policy is answering."""
        if self._guard is None:
            return RateLimitHealth(type(self.backend).__name__, True, self.on_backend_error)
        return self._guard.health()

    async def ping(self) -> bool:
        """Whether the backend answers now (``True`` always for the memory backend)."""
        if self._guard is None:
            await self.backend.ping()
            return True
        try:
            await self.backend.ping()
        except self._guard.errors:
            return False
        return True

    async def aclose(self) -> None:
        """Release what the backend opened (a client it created from a URL)."""
        await self.backend.aclose()
