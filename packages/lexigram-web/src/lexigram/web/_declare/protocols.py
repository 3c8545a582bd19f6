"""Protocols web consumes: seams to sibling packages and the pipeline extension points.

Siblings satisfy the seams structurally (lexigram-result's ``Result`` is a ``ResultLike``,
lexigram-ratelimit's limiter a ``RateLimiterProtocol``, lexigram-cqrs's buses the bus protocols);
web never imports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .params import ParamMetadata

__all__ = [
    "AuthorizerProtocol",
    "CallHandlerProtocol",
    "CommandBusProtocol",
    "ExecutionContextProtocol",
    "GuardProtocol",
    "InterceptorProtocol",
    "PipeProtocol",
    "QueryBusProtocol",
    "RateLimitDecisionProtocol",
    "RateLimiterProtocol",
    "RatePolicyProtocol",
    "ResultLike",
]


@runtime_checkable
class ResultLike(Protocol):
    """Anything shaped like ``Ok``/``Err``: mapped to a response by ``ResultResponseMapper``."""

    def is_ok(self) -> bool: ...
    def unwrap(self) -> Any: ...
    def unwrap_err(self) -> Any: ...


class RateLimitDecisionProtocol(Protocol):
    """The outcome of one rate-limit hit."""

    @property
    def allowed(self) -> bool: ...
    @property
    def limit(self) -> int: ...
    @property
    def remaining(self) -> int: ...
    @property
    def reset_after(self) -> float: ...
    @property
    def retry_after(self) -> float: ...


class RatePolicyProtocol(Protocol):
    """One parsed rate (e.g. ``"30/minute"``) bound to a limiter backend."""

    async def hit(self, key: str, cost: int = 1) -> RateLimitDecisionProtocol: ...
    def headers(self, decision: Any) -> list[tuple[str, str]]: ...


class RateLimiterProtocol(Protocol):
    """A limiter registered in the container; ``policy`` is called once per route at startup.

    ``per_process``: the counts live in this process only (e.g. memory), so with several
    workers each counts on its own (the app warns at startup, and refuses under the production
    profile unless allowed)."""

    def policy(self, rate: str) -> RatePolicyProtocol: ...
    @property
    def default_rate(self) -> str | None: ...
    @property
    def exclude(self) -> Sequence[str]: ...
    @property
    def per_process(self) -> bool: ...


class CommandBusProtocol(Protocol):
    async def dispatch(self, command: Any) -> Any: ...


class QueryBusProtocol(Protocol):
    async def execute(self, query: Any) -> Any: ...


class ExecutionContextProtocol(Protocol):
    """What guards and interceptors learn about the request being handled."""

    @property
    def request(self) -> Any: ...
    @property
    def handler(self) -> Callable[..., Any]: ...
    @property
    def controller_class(self) -> type | None: ...
    @property
    def method_name(self) -> str | None: ...
    @property
    def route_metadata(self) -> dict[str, Any]: ...


class CallHandlerProtocol(Protocol):
    """The rest of the pipeline, as seen from an interceptor."""

    def handle(self) -> Awaitable[Any]:
        """Run the rest of the chain: ``await next_handler.handle()`` gives its result."""
        ...


class InterceptorProtocol(Protocol):
    """Around-advice: call ``await next_handler.handle()`` (or not) and return a result."""

    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any: ...


class GuardProtocol(Protocol):
    """``can_activate`` answers whether the request may proceed (sync or async)."""

    def can_activate(self, context: Any) -> bool | Awaitable[bool]: ...


class PipeProtocol(Protocol):
    """Transforms or validates one parameter value (sync or async)."""

    def transform(self, value: Any, metadata: ParamMetadata) -> Any: ...


class AuthorizerProtocol(Protocol):
    """Decides role membership for ``RoleGuard`` / ``@roles``."""

    def has_any_role(self, user: Any, roles: Sequence[str]) -> bool | Awaitable[bool]: ...
