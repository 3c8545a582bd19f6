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
from .._http.settings import RequestSettings
from .components import get_instance
from .core import Endpoint, EndpointCore, EndpointParts, close_now
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
    """Binding, then the handler: what the interceptors wrap. For a coroutine handler with a
    sync binding (most routes), a plain function returning the handler's coroutine: awaiting
    it runs the handler with no frame of the pipeline's own in between."""
    empty_binding = core.plan.is_empty
    bind = core.bind
    call = core.call
    controller = core.controller
    # a controller built per request by a sync getter: looked up inline (no coroutine)
    sync_controller = controller is not None and not controller.is_async
    get_controller: Callable[[Any], Any] = controller.get if controller is not None else id
    method_name = core.method_name
    # parameters receiving the request itself: kept out of validated_data (no cycle)
    own = tuple(p.name for p in core.plan.params if p.source in SELF_SOURCES)

    def target_of(ctx: Request) -> Any:
        """The handler, bound to this request's controller when there is one."""
        if sync_controller:
            instance = ctx.controller = get_controller(ctx.di_scope)
            return getattr(instance, method_name)
        return call

    def arguments(ctx: Request) -> dict[str, Any]:
        """The bound arguments, kept on ``ctx`` as its ``validated_data``."""
        kwargs = bind(ctx)
        if own:
            _keep_values(ctx, kwargs, own)
        elif kwargs:
            ctx.validated_data = kwargs
        return kwargs

    if is_coroutine and not core.has_async_binding and (controller is None or sync_controller):
        if empty_binding and controller is None:
            return lambda ctx: call()
        if core.plan.path_only and controller is None:
            return _path_call(call)

        def prepare(ctx: Request) -> Awaitable[Any]:
            kwargs = {} if empty_binding else arguments(ctx)
            handler: Callable[..., Awaitable[Any]] = target_of(ctx)
            return handler(**kwargs)

        return prepare
    return _awaiting_invoker(core, is_coroutine, target_of, arguments, own)


def _path_call(call: Callable[..., Awaitable[Any]]) -> Invoke:
    """The invoker of a handler whose arguments are the path parameters themselves."""

    def path_call(ctx: Request) -> Awaitable[Any]:
        params = ctx.path_params
        ctx.validated_data = params
        return call(**params)

    return path_call


def _awaiting_invoker(
    core: EndpointCore,
    is_coroutine: bool,
    target_of: Callable[[Request], Any],
    arguments: Callable[[Request], dict[str, Any]],
    own: tuple[str, ...],
) -> Invoke:
    """``_invoker`` for what has to be awaited before the handler runs (an async binding or
    controller getter) or around it (a sync handler, run in a worker thread)."""
    empty_binding = core.plan.is_empty
    has_async_binding = core.has_async_binding
    abind = core.abind
    per_request = core.controller is not None and core.controller.is_async

    async def invoke(ctx: Request) -> Any:
        if empty_binding:
            kwargs: dict[str, Any] = {}  # validated_data stays unset: it reads as {}
        elif has_async_binding:
            kwargs = await abind(ctx)
            if own:
                _keep_values(ctx, kwargs, own)
            elif kwargs:
                ctx.validated_data = kwargs
        else:
            kwargs = arguments(ctx)
        target = await core.target(ctx) if per_request else target_of(ctx)
        if is_coroutine:
            return await target(**kwargs)
        return await anyio.to_thread.run_sync(lambda: target(**kwargs))

    return invoke


def _keep_values(ctx: Request, kwargs: dict[str, Any], own: tuple[str, ...]) -> None:
    """``kwargs`` without the parameters receiving ``ctx`` itself, as its ``validated_data``."""
    values = kwargs.copy()
    for name in own:
        del values[name]
    ctx.validated_data = values


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

    if fixed is not None:
        chain = fixed
        return lambda ctx: run_chain(chain, ctx, invoke)

    async def run(ctx: Request) -> Any:
        built = tuple([await get_instance(c, ctx) for c in interceptors])
        return await run_chain(built, ctx, invoke)

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
    complete = renderer.complete
    responder = parts.responder or ErrorResponder(
        parts.filters, parts.status_map, renderer, parts.debug
    )
    invoke = _invoker(core, parts.is_coroutine)
    # guards built at startup that answer synchronously run with no coroutine (None)
    check_guards: Callable[[Request], Awaitable[None] | None] = core.guards_now
    if tracer is not None:  # decided here, once: untraced routes keep the plain steps
        check_guards = tracer.guards(core.check_guards, info)
        invoke = tracer.handler(invoke, info)
    run = _intercepted(parts, invoke)
    needs_scope = core.needs_scope
    open_scope = core.open_scope
    guards = core.guards
    id_header, static = _default_headers(settings)

    def serving(route: RouteInfo, head: bool) -> Endpoint:
        async def endpoint(
            scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
        ) -> None:
            if head:
                send = _head_send(send)
            ctx = Request(scope, receive, send, settings, route, params)  # positional: cheaper
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
                    if guards and (pending := check_guards(ctx)) is not None:
                        await pending
                    if late_limit is not None:
                        await late_limit(ctx)
                    result = await run(ctx)
                    messages = complete(result, ctx)
                    if messages is not None:
                        await send(messages[0])
                        await send(messages[1])
                    else:
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
                if di_scope is not None and (closing := close_now(di_scope)) is not None:
                    await closing

        return endpoint

    return serving(info, parts.head), serving(head_info, True) if head_info else None


def _default_headers(
    settings: RequestSettings,
) -> tuple[bytes | None, tuple[tuple[bytes, bytes], ...]]:
    """The app's own headers on every answer, when its dispatcher gives each request its id
    (see ``ResponseDefaults``): the request id's header name (``None``: no such headers) and
    the fixed ones after it (the security headers)."""
    defaults = settings.defaults
    if defaults is None:
        return None, ()
    return defaults.header, defaults.static


async def _close_form(ctx: Request) -> None:
    try:
        await ctx.close()
    except Exception:
        _log.exception("closing uploaded files failed")
