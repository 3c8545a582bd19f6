"""The compiled endpoint of one route: the request pipeline, decided at startup.

    DI scope (only if needed) -> rate limit -> guards -> interceptors( binding + pipes -> handler )
    -> return-value mapping -> exception filters -> problem+json fallback

Every branch not used by a route is decided away when the route is compiled; the per-request
work is attribute reads, the steps the route actually needs, and two ``send`` calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import anyio.to_thread
from starlette.types import Receive, Scope, Send

from lexigram.di import Container
from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers, ForbiddenError

from .._binding.compiler import BindingPlan
from .._broadcast.protocol import Broadcaster
from .._declare.di import ServiceGetter
from .._http.background import FINISHED, REQUEST_TASKS
from .._http.context import ExecutionContext, RouteInfo
from .._http.render import Renderer
from .._http.request import RequestSettings
from .components import Component, get_instance
from .error_responder import ErrorResponder
from .filters import ErrorHandler
from .interceptors import run_chain
from .throttle import RateLimitCheck

__all__ = ["Endpoint", "EndpointParts", "build_endpoint"]

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
    broadcaster: Broadcaster | None = None
    """The app's broadcaster (WebSocket handler hubs publish through it)."""


def _head_send(send: Send) -> Send:
    async def head_send(message: Any) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            message = {**message, "body": b""}
        await send(message)

    return head_send


def build_endpoint(parts: EndpointParts) -> Endpoint:
    """Compile ``parts`` into ``endpoint(scope, receive, send, path_params)``."""
    info = parts.info
    plan = parts.plan
    call = parts.call
    is_coroutine = parts.is_coroutine
    controller = parts.controller
    guards = tuple(parts.guards)
    interceptors = tuple(parts.interceptors)
    throttle = parts.throttle
    renderer = parts.renderer
    settings = parts.settings
    container = parts.container
    needs_scope = (
        plan.needs_scope
        or (controller is not None and controller.needs_scope)
        or any(c.getter is not None for c in (*guards, *interceptors))
    )
    responder = ErrorResponder(parts.filters, parts.status_map, renderer, parts.debug)
    has_async_binding = plan.has_async
    empty_binding = plan.is_empty
    bind = plan.bind
    abind = plan.abind
    head = parts.head

    async def invoke(ctx: ExecutionContext) -> Any:
        if empty_binding:
            kwargs: dict[str, Any] = {}
        elif has_async_binding:
            kwargs = await abind(ctx)
        else:
            kwargs = bind(ctx)
        if ctx._request is not None:  # pyright: ignore[reportPrivateUsage]
            ctx._request.validated_data = kwargs  # pyright: ignore[reportPrivateUsage]
        else:
            ctx.validated = kwargs
        target = call
        if controller is not None:
            instance = controller.get(ctx.di_scope)
            if controller.is_async:
                instance = await instance
            ctx.controller = instance
            target = getattr(instance, info.method_name or "")
        if is_coroutine:
            return await target(**kwargs)
        return await anyio.to_thread.run_sync(lambda: target(**kwargs))

    async def run_guards(ctx: ExecutionContext) -> None:
        for component in guards:
            guard = await get_instance(component, ctx)
            allowed = guard.can_activate(ctx)
            if component.is_async or (not isinstance(allowed, bool) and isawaitable(allowed)):
                allowed = await allowed
            if not allowed:
                raise ForbiddenError("access denied by " + type(guard).__qualname__)

    if interceptors:
        chain_cache: tuple[Any, ...] | None = (
            tuple(c.instance for c in interceptors)
            if all(c.instance is not None for c in interceptors)
            else None
        )

        async def run(ctx: ExecutionContext) -> Any:
            chain = chain_cache
            if chain is None:
                chain = tuple([await get_instance(c, ctx) for c in interceptors])
            return await run_chain(chain, ctx, invoke)
    else:
        run = invoke

    async def endpoint(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        if head:
            send = _head_send(send)
        ctx = ExecutionContext(scope, receive, send, params, info, settings)
        di_scope = None
        # the current request, for @background; never reset: once the pipeline ends the
        # request is marked finished, so a stale value in this context behaves like none
        REQUEST_TASKS.set(ctx)
        try:
            try:
                if needs_scope:
                    di_scope = ctx.di_scope = container.scope()
                if throttle is not None:
                    await throttle(ctx)
                if guards:
                    await run_guards(ctx)
                result = await run(ctx)
                await renderer.send(result, send, scope, receive, ctx.response_headers)
            except Exception as exc:
                await responder.respond(ctx, exc)
            if ctx.background is not None:
                await ctx.background.run()
        finally:
            if ctx.background is None:
                ctx.background = FINISHED
            if ctx.form_used:
                await _close_form(ctx)
            if di_scope is not None:
                await _close_scope(di_scope)

    return endpoint


async def _close_form(ctx: ExecutionContext) -> None:
    try:
        await ctx.request.close()
    except Exception:
        _log.exception("closing uploaded files failed")


async def _close_scope(di_scope: Any) -> None:
    try:
        await di_scope.aclose()
    except Exception:
        _log.exception("closing the request's DI scope failed")
