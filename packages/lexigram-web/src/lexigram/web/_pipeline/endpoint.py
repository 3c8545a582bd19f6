"""The compiled endpoint of one HTTP route: the request pipeline, decided at startup.

    DI scope (only if needed) -> rate limit -> guards -> interceptors( binding + pipes -> handler )
    -> return-value mapping -> exception filters -> problem+json fallback

The steps shared with WebSocket routes come from the route's ``EndpointCore``; every branch
not used by a route is decided away when the route is compiled, so the per-request work is
attribute reads, the steps the route actually needs, and two ``send`` calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from starlette.types import Receive, Scope, Send

from .._http.background import FINISHED, REQUEST_TASKS
from .._http.request import Request
from .components import get_instance
from .core import Endpoint, EndpointCore, EndpointParts, close_scope
from .error_responder import ErrorResponder
from .interceptors import run_chain

__all__ = ["build_endpoint"]

_log = logging.getLogger("lexigram.web")
Invoke = Callable[[Request], Awaitable[Any]]


def _head_send(send: Send) -> Send:
    async def head_send(message: Any) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            message = {**message, "body": b""}
        await send(message)

    return head_send


def _invoker(core: EndpointCore, is_coroutine: bool) -> Invoke:
    """Binding, then the handler: what the interceptors wrap."""
    empty_binding = core.plan.is_empty
    has_async_binding = core.has_async_binding
    bind = core.bind
    abind = core.abind
    call = core.call
    controller = core.controller
    per_request = controller is not None
    async_controller = controller is not None and controller.is_async
    sync_target = core.sync_target

    async def invoke(ctx: Request) -> Any:
        if empty_binding:
            kwargs: dict[str, Any] = {}
        elif has_async_binding:
            kwargs = await abind(ctx)
        else:
            kwargs = bind(ctx)
        ctx.validated_data = kwargs
        if not per_request:
            target = call
        elif async_controller:
            target = await core.target(ctx)
        else:
            target = sync_target(ctx)
        if is_coroutine:
            return await target(**kwargs)
        return await anyio.to_thread.run_sync(lambda: target(**kwargs))

    return invoke


def _intercepted(parts: EndpointParts, invoke: Invoke) -> Invoke:
    """``invoke`` wrapped in the route's interceptor chain (``invoke`` itself without one)."""
    interceptors = tuple(parts.interceptors)
    if not interceptors:
        return invoke
    fixed: tuple[Any, ...] | None = (
        tuple(c.instance for c in interceptors)
        if all(c.instance is not None for c in interceptors)
        else None
    )

    async def run(ctx: Request) -> Any:
        chain = fixed
        if chain is None:
            chain = tuple([await get_instance(c, ctx) for c in interceptors])
        return await run_chain(chain, ctx, invoke)

    return run


def build_endpoint(parts: EndpointParts) -> Endpoint:
    """Compile ``parts`` into ``endpoint(scope, receive, send, path_params)``."""
    core = EndpointCore(parts)
    info = parts.info
    settings = parts.settings
    throttle = parts.throttle
    renderer = parts.renderer
    responder = ErrorResponder(parts.filters, parts.status_map, renderer, parts.debug)
    run = _intercepted(parts, _invoker(core, parts.is_coroutine))
    needs_scope = core.needs_scope
    container = core.container
    guards = core.guards
    check_guards = core.check_guards
    head = parts.head

    async def endpoint(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        if head:
            send = _head_send(send)
        ctx = Request(scope, receive, send, settings, info, params)
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
                    await check_guards(ctx)
                result = await run(ctx)
                await renderer.send(result, ctx, send)
            except Exception as exc:
                await responder.respond(ctx, exc, send)
            if ctx.background is not None:
                await ctx.background.run()
        finally:
            if ctx.background is None:
                ctx.background = FINISHED
            if ctx.form_used:
                await _close_form(ctx)
            if di_scope is not None:
                await close_scope(di_scope)

    return endpoint


async def _close_form(ctx: Request) -> None:
    try:
        await ctx.close()
    except Exception:
        _log.exception("closing uploaded files failed")
