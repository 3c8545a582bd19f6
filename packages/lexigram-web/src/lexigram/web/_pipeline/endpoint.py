"""The compiled endpoint of one HTTP route: the request pipeline, decided at startup.

    DI scope (only if needed) -> rate limit by IP/endpoint -> guards -> rate limit by user
    -> interceptors( binding + pipes -> handler )
    -> return-value mapping -> exception filters -> problem+json fallback

The steps shared with WebSocket routes come from the route's ``EndpointCore``; every branch
not used by a route is decided away when the route is compiled, so the per-request work is
attribute reads, the steps the route actually needs, and two ``send`` calls.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from starlette.types import Receive, Scope, Send

from .._http.background import FINISHED, REQUEST_TASKS
from .._http.context import SELF_SOURCES, RouteInfo
from .._http.request import Request
from .._http.request_id import REQUEST_ID_KEY
from .components import get_instance
from .core import Endpoint, EndpointCore, EndpointParts, close_scope
from .error_responder import ErrorResponder
from .interceptors import run_chain

__all__ = ["build_endpoint", "build_endpoints", "head_endpoint"]

_log = logging.getLogger("lexigram.web")
Invoke = Callable[[Request], Awaitable[Any]]


def _head_send(send: Send) -> Send:
    async def head_send(message: Any) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            message = {**message, "body": b""}
        await send(message)

    return head_send


def head_endpoint(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` answering ``HEAD``: the same status and headers, no body."""

    async def head(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        await endpoint(scope, receive, _head_send(send), params)

    return head


def _invoker(core: EndpointCore, is_coroutine: bool) -> Invoke:
    """Binding, then the handler: what the interceptors wrap."""
    empty_binding = core.plan.is_empty
    has_async_binding = core.has_async_binding
    bind = core.bind
    abind = core.abind
    call = core.call
    controller = core.controller
    # a controller built per request by a sync getter: looked up inline (no coroutine)
    sync_controller = controller is not None and not controller.is_async
    get_controller: Callable[[Any], Any] = controller.get if controller is not None else id
    method_name = core.method_name
    per_request = controller is not None
    # parameters receiving the request itself: kept out of validated_data (no cycle)
    own = tuple(p.name for p in core.plan.params if p.source in SELF_SOURCES)

    async def invoke(ctx: Request) -> Any:
        if empty_binding:
            kwargs: dict[str, Any] = {}  # validated_data stays unset: it reads as {}
        elif has_async_binding:
            kwargs = await abind(ctx)
        else:
            kwargs = bind(ctx)
        if own:
            values = kwargs.copy()
            for name in own:
                del values[name]
            ctx.validated_data = values
        elif kwargs:
            ctx.validated_data = kwargs
        if sync_controller:
            instance = ctx.controller = get_controller(ctx.di_scope)
            target = getattr(instance, method_name)
        elif per_request:
            target = await core.target(ctx)
        else:
            target = call
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
    return build_endpoints(parts, None)[0]


def build_endpoints(
    parts: EndpointParts, head_info: RouteInfo | None
) -> tuple[Endpoint, Endpoint | None]:
    """``build_endpoint(parts)``, and with ``head_info`` the endpoint answering ``HEAD`` for
    the same route (``head_info`` its route): both run one compiled pipeline, the ``HEAD``
    one sending no body (``None`` without ``head_info``)."""
    tracer = parts.tracer
    if tracer is not None and head_info is not None:  # spans name the route: one per method
        head = dataclasses.replace(parts, info=head_info, head=True)
        return build_endpoints(parts, None)[0], build_endpoints(head, None)[0]
    core = EndpointCore(parts)
    info = parts.info
    settings = parts.settings
    throttle = parts.throttle
    early_limit = throttle if throttle is not None and not throttle.after_guards else None
    late_limit = throttle if throttle is not None and throttle.after_guards else None
    renderer = parts.renderer
    responder = parts.responder or ErrorResponder(
        parts.filters, parts.status_map, renderer, parts.debug
    )
    invoke = _invoker(core, parts.is_coroutine)
    check_guards: Invoke = core.check_guards
    if tracer is not None:  # decided here, once: untraced routes keep the plain steps
        check_guards = tracer.guards(check_guards, info)
        invoke = tracer.handler(invoke, info)
    run = _intercepted(parts, invoke)
    needs_scope = core.needs_scope
    open_scope = core.open_scope
    guards = core.guards
    defaults = settings.defaults
    # the app's own headers on every answer (request id, security headers), when its
    # dispatcher gives each request its id (see ResponseDefaults)
    id_header = defaults.header if defaults is not None else None
    static = defaults.static if defaults is not None else ()

    def serving(route: RouteInfo, head: bool) -> Endpoint:
        async def endpoint(
            scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
        ) -> None:
            if head:
                send = _head_send(send)
            ctx = Request(scope, receive, send, settings=settings, route=route, path_params=params)
            if id_header is not None:
                request_id: str = scope["state"][REQUEST_ID_KEY]
                ctx.response_headers = [(id_header, request_id.encode()), *static]
            di_scope = None
            # the current request, for @background; never reset: once the pipeline ends the
            # request is marked finished, so a stale value in this context behaves like none
            REQUEST_TASKS.set(ctx)
            try:
                try:
                    if needs_scope:
                        di_scope = open_scope(ctx)
                    if early_limit is not None:
                        await early_limit(ctx)
                    if guards:
                        await check_guards(ctx)
                    if late_limit is not None:
                        await late_limit(ctx)
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

    return serving(info, parts.head), serving(head_info, True) if head_info else None


async def _close_form(ctx: Request) -> None:
    try:
        await ctx.close()
    except Exception:
        _log.exception("closing uploaded files failed")
