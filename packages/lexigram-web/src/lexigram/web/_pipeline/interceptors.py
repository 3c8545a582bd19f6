"""Interceptors: around-advice over binding + handler, chained once per route.

An interceptor's ``intercept(context, next_handler)`` may call ``await next_handler.handle()``
(zero, one or several times), transform the result, add headers through
``context.add_header``, or catch errors. Order: global, controller, handler (outermost first).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from .._declare.keywords import check_not_bare
from .._declare.metadata import adding
from .._declare.protocols import CallHandlerProtocol, ExecutionContextProtocol, InterceptorProtocol

__all__ = [
    "CallHandler",
    "Interceptor",
    "LoggingInterceptor",
    "TimingInterceptor",
    "run_chain",
    "use_interceptors",
]

T = TypeVar("T")


def use_interceptors(*interceptors: Any) -> Callable[[T], T]:
    """Attach interceptors (classes or instances) to a handler or a controller class."""
    if not interceptors:
        raise TypeError("use_interceptors() needs at least one interceptor")
    check_not_bare("use_interceptors", interceptors, "interceptors")
    return adding("interceptors", interceptors)


class CallHandler:
    """``handle()`` runs the rest of the chain: the next interceptor, or the handler."""

    __slots__ = ("_chain", "_context", "_final", "_index")

    def __init__(
        self,
        chain: Sequence[Any],
        index: int,
        context: Any,
        final: Callable[[Any], Awaitable[Any]],
    ) -> None:
        self._chain = chain
        self._index = index
        self._context = context
        self._final = final

    def handle(self) -> Awaitable[Any]:
        """The awaitable of the rest of the chain (``await next_handler.handle()``), made
        without a coroutine of its own; each call runs the rest again."""
        index = self._index
        chain = self._chain
        if index == len(chain):
            return self._final(self._context)
        following = CallHandler(chain, index + 1, self._context, self._final)
        result: Awaitable[Any] = chain[index].intercept(self._context, following)
        return result


def run_chain(
    chain: Sequence[Any], context: Any, final: Callable[[Any], Awaitable[Any]]
) -> Awaitable[Any]:
    """The awaitable of the whole chain: the first interceptor's ``intercept`` called directly
    (no wrapping coroutine per request), or the handler when the chain is empty."""
    if not chain:
        return final(context)
    first: InterceptorProtocol = chain[0]
    return first.intercept(context, CallHandler(chain, 1, context, final))


class Interceptor:
    """Convenience base: passes through. Override ``intercept``."""

    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        return await next_handler.handle()


def _add_header(context: Any, name: str, value: str) -> None:
    add = getattr(context, "add_header", None)
    if callable(add):
        add(name, value)


class TimingInterceptor(Interceptor):
    """Adds ``Server-Timing: <metric>;dur=<ms>`` (handler time, errors included)."""

    def __init__(self, metric: str = "app") -> None:
        self.metric = metric

    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        start = time.perf_counter()
        try:
            return await next_handler.handle()
        finally:
            elapsed = (time.perf_counter() - start) * 1000.0
            _add_header(context, "server-timing", f"{self.metric};dur={elapsed:.3f}")


class LoggingInterceptor(Interceptor):
    """Logs each handled request (method, path, handler, duration) and failures."""

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self.logger = logger or logging.getLogger("lexigram.web.requests")
        self.level = level

    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        start = time.perf_counter()
        request = context.request
        name = getattr(context.handler, "__qualname__", repr(context.handler))
        try:
            result = await next_handler.handle()
        except Exception as exc:
            elapsed = (time.perf_counter() - start) * 1000.0
            self.logger.warning(
                "%s %s -> %s raised %s after %.2f ms",
                request.method, request.url.path, name, type(exc).__name__, elapsed,
            )  # fmt: skip
            raise
        elapsed = (time.perf_counter() - start) * 1000.0
        self.logger.log(
            self.level, "%s %s -> %s in %.2f ms", request.method, request.url.path, name, elapsed
        )
        return result
