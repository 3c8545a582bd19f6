"""The endpoint core: what HTTP, WebSocket and WebSocket-handler routes share.

A route's ``EndpointParts`` are gathered at startup; ``EndpointCore`` decides from them, once,
whether requests need a DI scope, and carries the steps every endpoint kind runs in the same
order: open the scope, run the guards, find the handler (on a per-request controller when
there is one), bind its arguments, close the scope. Each endpoint kind adds only its own
framing: the HTTP endpoint its rate limit, interceptors, rendering and error responder; the
WebSocket endpoints their handshake denial and close codes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from starlette.types import Receive, Scope, Send

from lexigram.di import Container
from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers, ForbiddenError

from .._binding.compiler import BindingPlan
from .._broadcast.protocol import Broadcaster
from .._declare.di import ServiceGetter
from .._http.context import ExecutionContext, RouteInfo
from .._http.render import Renderer
from .._http.settings import RequestSettings
from .._observe.hooks import PipelineTracer
from .components import Component, get_instance
from .error_responder import ErrorResponder
from .filters import ErrorHandler
from .throttle import RateLimitCheck

__all__ = ["Endpoint", "EndpointCore", "EndpointParts", "close_now", "close_scope"]

Endpoint = Callable[[Scope, Receive, Send, dict[str, Any]], Awaitable[None]]
_log = logging.getLogger("lexigram.web")


@dataclass(slots=True)
class EndpointParts:
    """Everything one route's endpoint needs, resolved at startup."""

    info: RouteInfo
    plan: BindingPlan
    call: Callable[..., Any]
    """The handler (a bound method for a controller built once)."""
    is_coroutine: bool
    controller: ServiceGetter | None
    """Per-request controller getter (controllers needing scoped services), else ``None``."""
    guards: Sequence[Component]
    interceptors: Sequence[Component]
    throttle: RateLimitCheck | None
    renderer: Renderer
    filters: ExceptionHandlers[ErrorHandler] | None
    status_map: ErrorStatusMap
    container: Container
    settings: RequestSettings
    debug: bool
    head: bool = False
    tracer: PipelineTracer | None = None
    """Wraps the guard chain and the handler call in spans (``None``: tracing is off)."""
    broadcaster: Broadcaster | None = None
    """The app's broadcaster (WebSocket handler hubs publish through it)."""
    responder: ErrorResponder | None = None
    """The route's error responder, when the compiler shares one between routes alike
    (``None``: the endpoint builds its own from ``filters``, ``status_map`` and ``renderer``)."""


class EndpointCore:
    """The steps every endpoint kind shares, decided once per route."""

    __slots__ = (
        "abind",
        "bind",
        "call",
        "container",
        "controller",
        "fixed_guards",
        "guards",
        "has_async_binding",
        "method_name",
        "needs_scope",
        "plan",
    )

    def __init__(self, parts: EndpointParts) -> None:
        plan = parts.plan
        controller = parts.controller
        self.plan = plan
        self.bind = plan.bind
        self.abind = plan.abind
        self.has_async_binding = plan.has_async
        self.call = parts.call
        self.controller = controller
        self.method_name = parts.info.method_name or ""
        self.guards = tuple(parts.guards)
        self.fixed_guards = _fixed_guards(self.guards)
        self.container = parts.container
        self.needs_scope = (
            plan.needs_scope
            or (controller is not None and controller.needs_scope)
            or any(c.getter is not None for c in (*parts.guards, *parts.interceptors))
        )

    def open_scope(self, ctx: ExecutionContext) -> Any:
        """Open the request's DI scope (on ``ctx.di_scope``) when the route needs one."""
        if not self.needs_scope:
            return None
        di_scope = ctx.di_scope = self.container.scope()
        return di_scope

    def guards_now(self, ctx: ExecutionContext) -> Awaitable[None] | None:
        """``check_guards``, run here when every guard was built at startup and answers
        synchronously (``None``: all allowed; ``ForbiddenError`` when one refuses); else the
        awaitable of the rest of the check."""
        fixed = self.fixed_guards
        if fixed is None:
            return self.check_guards(ctx)
        for index, (can_activate, is_async, label) in enumerate(fixed):
            allowed = can_activate(ctx)
            if allowed is True:
                continue
            if is_async or isawaitable(allowed):
                return _guards_from(fixed, index, allowed, ctx)
            if not allowed:
                raise ForbiddenError("access denied by " + label)
        return None

    async def check_guards(self, ctx: ExecutionContext) -> None:
        """Run the guards in order; ``ForbiddenError`` when one refuses."""
        fixed = self.fixed_guards
        if fixed is not None:
            await _guards_from(fixed, 0, None, ctx)
            return
        for component in self.guards:
            guard = await get_instance(component, ctx)
            allowed = guard.can_activate(ctx)
            if component.is_async or (not isinstance(allowed, bool) and isawaitable(allowed)):
                allowed = await allowed
            if not allowed:
                raise ForbiddenError("access denied by " + type(guard).__qualname__)

    async def arguments(self, ctx: ExecutionContext) -> dict[str, Any]:
        """The handler's arguments, bound from ``ctx`` (every failure in one 4xx error)."""
        if self.has_async_binding:
            return await self.abind(ctx)
        return self.bind(ctx)

    async def controller_for(self, ctx: ExecutionContext) -> Any:
        """This request's controller, built in its DI scope (also set on ``ctx.controller``);
        ``None`` when the route builds none per request."""
        controller = self.controller
        if controller is None:
            return None
        instance = controller.get(ctx.di_scope)
        if controller.is_async:
            instance = await instance
        ctx.controller = instance
        return instance

    async def target(self, ctx: ExecutionContext) -> Callable[..., Any]:
        """The callable to invoke: the handler, or its method on this request's controller."""
        if self.controller is None:
            return self.call
        method: Callable[..., Any] = getattr(await self.controller_for(ctx), self.method_name)
        return method


_FixedGuard = tuple[Callable[[ExecutionContext], Any], bool, str]


def _fixed_guards(guards: Sequence[Component]) -> tuple[_FixedGuard, ...] | None:
    """Each guard's bound ``can_activate`` when every guard was built at startup (``None``
    when one is built per request, in the request's DI scope)."""
    if any(c.instance is None for c in guards):
        return None
    return tuple(
        (c.instance.can_activate, c.is_async, type(c.instance).__qualname__) for c in guards
    )


async def _guards_from(
    fixed: tuple[_FixedGuard, ...], index: int, answer: Any, ctx: ExecutionContext
) -> None:
    """The fixed guards from ``index`` on, ``answer`` being that guard's answer when it was
    already called (``None``: not yet)."""
    for can_activate, is_async, label in fixed[index:]:
        allowed = can_activate(ctx) if answer is None else answer
        answer = None
        if is_async or (allowed is not True and isawaitable(allowed)):
            allowed = await allowed
        if not allowed:
            raise ForbiddenError("access denied by " + label)


def close_now(di_scope: Any) -> Awaitable[None] | None:
    """Close a request's DI scope here when it has no finalizers to run (``None``), else
    the awaitable of ``close_scope``."""
    if di_scope.has_finalizers:
        return close_scope(di_scope)
    di_scope.close()
    return None


async def close_scope(di_scope: Any) -> None:
    """Close a request's DI scope; a failing finalizer is logged."""
    try:
        await di_scope.aclose()
    except Exception:
        _log.exception("closing the request's DI scope failed")
