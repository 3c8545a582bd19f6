"""Rate limits on routes: ``@throttle`` / ``@rate_limit`` metadata, enforced through the
``RateLimiterProtocol`` registered in the container.

At startup every throttled route gets its policy (``limiter.policy(rate)``, once); routes without
their own limit get the limiter's ``default_rate`` unless its ``exclude`` covers them. Per
request: compute the key, ``await policy.hit(key, cost)``, answer 429 problem+json with the
policy's headers when denied, add the headers to the response when allowed.
"""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from lexigram.di import Container
from lexigram.http_errors import TooManyRequestsError

from .._declare.errors import ConfigurationError
from .._declare.metadata import setting
from .._declare.protocols import RateLimiterProtocol
from .._http.context import ExecutionContext
from .._http.current_user import user_identity
from .seams import find_implementation

__all__ = [
    "CountedCheck",
    "RateLimitCheck",
    "ThrottleSpec",
    "find_limiter",
    "is_excluded",
    "rate_limit",
    "route_check",
    "throttle",
]

T = TypeVar("T")
By = Literal["user", "ip", "endpoint"]
KeyFunc = Callable[[Any], "str | Awaitable[str]"]

INSTALL_HINT = (
    'pip install "lexigram-web[ratelimit]" and add RateLimitModule.configure(...) to the app\'s'
    " modules (or register any RateLimiterProtocol implementation in the container)"
)


@dataclass(frozen=True, slots=True)
class ThrottleSpec:
    rate: str
    by: By = "user"
    key: KeyFunc | None = None
    cost: int = 1


def throttle(
    rate: str, by: By = "user", key: KeyFunc | None = None, cost: int = 1
) -> Callable[[T], T]:
    """Limit a handler (or every handler of a controller) to ``rate`` (e.g. ``"100/minute"``).

    ``by`` picks the key: ``"user"`` (the authenticated user's id, else the client IP),
    ``"ip"`` or ``"endpoint"`` (one budget shared by every caller); ``key(request)`` (sync or
    async) overrides it. ``cost`` is the number of hits one request counts for. A limit by
    user (or by a ``key`` function, which may read the user too) is checked after the route's
    guards, so it sees the user they authenticated.
    """
    if not isinstance(rate, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f'@throttle/@rate_limit take a rate such as "100/minute" first; got {rate!r}'
            " (not bare @throttle)"
        )
    if by not in ("user", "ip", "endpoint"):
        raise ValueError(f"by must be 'user', 'ip' or 'endpoint', got {by!r}")
    if cost < 1:
        raise ValueError("cost must be >= 1")
    return setting("throttle", ThrottleSpec(rate, by, key, cost))


rate_limit = throttle
"""The same decorator as `throttle`, for readers who know rate limits by that name."""


def _is_limiter(candidate: object) -> bool:
    return (
        callable(getattr(candidate, "policy", None))
        and hasattr(candidate, "default_rate")
        and hasattr(candidate, "exclude")
    )


async def find_limiter(container: Container) -> Any:
    """The ``RateLimiterProtocol`` implementation in ``container`` (see ``_seams``)."""
    return await find_implementation(container, RateLimiterProtocol, "policy", _is_limiter)


def route_check(
    spec: ThrottleSpec | None, limiter: Any, default_policy: Any, route: str, label: str
) -> RateLimitCheck | None:
    """The check of one route (``"GET /path"``), built at startup: its own limit (a policy
    created now), else the limiter's default rate unless excluded, else none. A limit with no
    limiter, or an invalid rate, raises ``ConfigurationError`` naming the fix."""
    if spec is not None:
        if limiter is None:
            raise ConfigurationError(
                f"{label} uses @throttle/@rate_limit but no RateLimiterProtocol is registered"
                f" in the container: {INSTALL_HINT}"
            )
        try:
            policy = limiter.policy(spec.rate)
        except ValueError as exc:
            reason = str(exc)  # a limiter's own message may already start with this phrase
            if not reason.startswith("invalid rate"):
                reason = f"invalid rate {spec.rate!r}: {reason}"
            raise ConfigurationError(f"{label}: {reason}") from exc
        return RateLimitCheck(policy, route, spec.by, spec.key, spec.cost)
    path = route.split(" ", 1)[1]
    exclude = tuple(getattr(limiter, "exclude", ()) or ())
    if default_policy is not None and not is_excluded(path, exclude):
        return RateLimitCheck(default_policy, "default", "user", None, 1)
    return None


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether a route path is covered by a limiter's ``exclude`` (prefixes or globs)."""
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            if fnmatch.fnmatchcase(path, pattern):
                return True
        else:
            prefix = pattern.rstrip("/")
            if not prefix or path == prefix or path.startswith(prefix + "/"):
                return True
    return False


def _user_key(ctx: ExecutionContext) -> str:
    identity = user_identity(ctx.user)
    if identity is None:
        return "ip:" + ctx.client_ip
    return f"user:{identity}"


class RateLimitCheck:
    """The per-route check built at startup from a policy and a key recipe.

    ``after_guards``: a limit keyed on the user (``by="user"``, or a ``key`` function, which
    may read the user too) runs after the guards, so it sees the user a guard authenticated
    (and an anonymous caller gets the guard's 401 before any 429); limits by IP or per
    endpoint run before the guards, shielding them."""

    __slots__ = ("after_guards", "by", "cost", "key_fn", "policy", "prefix")

    def __init__(self, policy: Any, prefix: str, by: By, key: KeyFunc | None, cost: int) -> None:
        self.policy = policy
        self.prefix = prefix
        self.by: By = by
        self.key_fn = key
        self.cost = cost
        self.after_guards = by == "user" or key is not None

    async def key_for(self, ctx: ExecutionContext) -> str:
        if self.key_fn is not None:
            value = self.key_fn(ctx.request)
            if inspect.isawaitable(value):
                value = await value
            return f"{self.prefix}:key:{value}"
        if self.by == "endpoint":
            return self.prefix
        if self.by == "ip":
            return f"{self.prefix}:ip:{ctx.client_ip}"
        return f"{self.prefix}:{_user_key(ctx)}"

    async def __call__(self, ctx: ExecutionContext) -> None:
        key = await self.key_for(ctx)
        policy = self.policy
        decision = await policy.hit(key, self.cost)
        headers: list[tuple[str, str]] = policy.headers(decision)
        if not decision.allowed:
            raise TooManyRequestsError("rate limit exceeded", headers=headers)
        for name, value in headers:
            ctx.add_header(name, value)


class CountedCheck(RateLimitCheck):
    """A route's rate-limit check that reports each decision: ``allowed()`` after a hit the
    policy let through, ``denied()`` before the 429 (built at startup when metrics are on)."""

    __slots__ = ("_allowed", "_denied")

    def __init__(
        self, check: RateLimitCheck, allowed: Callable[[], object], denied: Callable[[], object]
    ) -> None:
        super().__init__(check.policy, check.prefix, check.by, check.key_fn, check.cost)
        self._allowed = allowed
        self._denied = denied

    async def __call__(self, ctx: ExecutionContext) -> None:
        try:
            await super().__call__(ctx)
        except TooManyRequestsError:
            self._denied()
            raise
        self._allowed()
