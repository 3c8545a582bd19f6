"""``LexigramApp``: the ASGI application object.

Any ASGI server runs it. Its lifespan starts the lexigram-di ``Application`` (modules and
providers), compiles every route once, builds the middleware stack once, and on shutdown stops
the DI application. Requests then go straight from the middleware stack to a dict lookup (static
paths) or a trie walk (parameterised paths) and into the route's compiled endpoint.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import typing
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal, TypeVar
from urllib.parse import unquote_to_bytes

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.di import Application, Container, Lifetime
from lexigram.http_errors import (
    BadRequestError,
    HandlerKey,
    MethodNotAllowedError,
    NotFoundError,
)

from ._compile import AppParts, CompiledApp, compile_app
from ._context import ExecutionContext, RouteInfo
from ._decorators import route
from ._endpoint import Endpoint
from ._errors_render import send_problem, status_for
from ._registry import RouteRegistry
from ._render import Renderer
from ._seams import bridge_buses
from ._settings import resolve_settings
from ._web_module import web_providers

__all__ = ["LexigramApp", "create_app"]

_log = logging.getLogger("lexigram.web")
F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


class _Unset(enum.Enum):
    UNSET = 0


UNSET: Literal[_Unset.UNSET] = _Unset.UNSET


class LexigramApp:
    """An ASGI application: controllers, function handlers, DI, middleware, one error shape.

    Quickstart (no modules, the app owns its container)::

        app = LexigramApp()

        @app.singleton
        class UserService: ...

        @app.get("/users/{id:int}")
        async def get_user(id: int, users: UserService) -> User: ...

    Larger apps pass ``controllers=``, ``modules=`` / ``providers=`` (lexigram-di) and
    ``config=`` (a ``WebConfig`` or any object with the same setting names). Keyword settings
    win over ``config``: ``debug``, ``validation_status`` (422 or 400), ``trusted_proxies``,
    ``fail_on_route_conflict``, ``max_body_size`` (bytes, ``None`` for no limit).
    ``middleware`` is an ordered list (outermost first) of pure-ASGI middleware classes or
    ``starlette.middleware.Middleware(cls, **options)`` entries, built once at startup.
    """

    def __init__(
        self,
        *,
        controllers: Sequence[type] = (),
        routes: Sequence[Callable[..., Any]] = (),
        providers: Sequence[Any] = (),
        modules: Sequence[Any] = (),
        container: Container | None = None,
        middleware: Sequence[Any] = (),
        config: Any = None,
        debug: bool | None = None,
        validation_status: int | None = None,
        trusted_proxies: Iterable[str] | None = None,
        fail_on_route_conflict: bool | None = None,
        max_body_size: int | Literal[_Unset.UNSET] | None = UNSET,
        exception_handlers: Mapping[HandlerKey, Any] | None = None,
        filters: Sequence[Any] = (),
        guards: Sequence[Any] = (),
        interceptors: Sequence[Any] = (),
        pipes: Sequence[Any] = (),
        error_statuses: Mapping[type[BaseException], int] | None = None,
    ) -> None:
        self.container = container if container is not None else Container()
        self.config = config
        self._controllers = list(controllers)
        self._functions = list(routes)
        self._providers = list(providers)
        self._modules = list(modules)
        self._middleware = list(middleware)
        self._exception_handlers: dict[HandlerKey, Any] = dict(exception_handlers or {})
        self._filters = list(filters)
        self._guards = list(guards)
        self._interceptors = list(interceptors)
        self._pipes = list(pipes)
        self._error_statuses = dict(error_statuses or {})
        self._overrides: list[tuple[Any, Any]] = []
        self._override_stack: list[Any] = []
        self._setting_overrides: dict[str, Any] = {
            "debug": debug,
            "validation_status": validation_status,
            "trusted_proxies": tuple(trusted_proxies) if trusted_proxies is not None else None,
            "fail_on_route_conflict": fail_on_route_conflict,
        }
        self._max_body_size = max_body_size
        self.settings = resolve_settings(config, self._settings_overrides())
        self.routes = RouteRegistry()
        self.application: Application | None = None
        self._compiled: CompiledApp | None = None
        self._static: dict[str, dict[str, Endpoint]] = {}
        self._stack: ASGIApp = self._not_started
        self._started = False
        self._start_lock: asyncio.Lock | None = None

    # -- declaration ---------------------------------------------------------------------------
    def _settings_overrides(self) -> dict[str, Any]:
        overrides = dict(self._setting_overrides)
        if self._max_body_size is not UNSET:
            overrides["max_body_size"] = self._max_body_size
        return overrides

    def _check_not_started(self, what: str) -> None:
        if self._started:
            raise RuntimeError(f"cannot {what} after the app started; do it before startup")

    def add_controller(self, controller: type) -> None:
        self._check_not_started("add a controller")
        self._controllers.append(controller)

    def add_route(self, handler: Callable[..., Any]) -> None:
        """Add a function decorated with ``@get``/``@post``/... from ``lexigram.web``."""
        self._check_not_started("add a route")
        self._functions.append(handler)

    def add_middleware(self, middleware: Any, **options: Any) -> None:
        """Append a middleware (innermost so far); ``options`` are passed to its constructor."""
        self._check_not_started("add middleware")
        self._middleware.append(Middleware(middleware, **options) if options else middleware)

    def add_exception_handler(self, key: HandlerKey, handler: Any) -> None:
        """App-level handler for an exception type or a status code: ``handler(request, exc)``."""
        self._check_not_started("add an exception handler")
        self._exception_handlers[key] = handler

    def add_filter(self, filter_: Any) -> None:
        self._check_not_started("add a filter")
        self._filters.append(filter_)

    def use_guards(self, *guards: Any) -> None:
        self._check_not_started("add guards")
        self._guards.extend(guards)

    def use_interceptors(self, *interceptors: Any) -> None:
        self._check_not_started("add interceptors")
        self._interceptors.extend(interceptors)

    def use_pipes(self, *pipes: Any) -> None:
        self._check_not_started("add pipes")
        self._pipes.extend(pipes)

    def error_status(self, error_type: type[BaseException], status_code: int) -> None:
        """Map ``error_type`` to ``status_code`` for this app only."""
        self._check_not_started("map an error status")
        self._error_statuses[error_type] = status_code

    def add_module(self, module: Any) -> None:
        self._check_not_started("add a module")
        self._modules.append(module)

    def add_provider(self, provider: Any) -> None:
        self._check_not_started("add a provider")
        self._providers.append(provider)

    def override(self, service: Any, replacement: Any) -> None:
        """Replace a container service for this app's lifetime (tests); call before startup."""
        self._check_not_started("override a service")
        self._overrides.append((service, replacement))

    # -- quickstart services -------------------------------------------------------------------
    def _service(self, cls: C, lifetime: Lifetime) -> C:
        self.container.register(cls, lifetime=lifetime)
        return cls

    def singleton(self, cls: C) -> C:
        """Register ``cls`` in this app's container as a singleton (class decorator)."""
        return self._service(cls, Lifetime.SINGLETON)

    def scoped(self, cls: C) -> C:
        """Register ``cls`` as request-scoped (one instance per request)."""
        return self._service(cls, Lifetime.SCOPED)

    def injectable(self, cls: C) -> C:
        """Register ``cls`` as transient (a new instance per injection)."""
        return self._service(cls, Lifetime.TRANSIENT)

    transient = injectable

    # -- quickstart routes ---------------------------------------------------------------------
    def route(self, method: str, path: str, **kwargs: Any) -> Callable[[F], F]:
        """Decorate a function as the handler of ``method`` on ``path`` in this app."""
        decorate = route(method, path, **kwargs)

        def register(fn: F) -> F:
            decorate(fn)
            if fn not in self._functions:
                self.add_route(fn)
            return fn

        return register

    def get(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("OPTIONS", path, **kwargs)

    def trace(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("TRACE", path, **kwargs)

    def websocket(self, path: str, **kwargs: Any) -> Callable[[F], F]:
        return self.route("WEBSOCKET", path, **kwargs)

    # -- introspection -------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._started

    def url_for(self, name: str, /, **params: Any) -> str:
        """The path of the route named ``name`` (available once started)."""
        return self.routes.url_for(name, **params)

    # -- lifecycle -----------------------------------------------------------------------------
    async def startup(self) -> None:
        """Start the DI application, compile the routes, build the middleware stack."""
        if self._started:
            return
        application = Application(self._modules, self._providers, container=self.container)
        for service, replacement in self._overrides:
            override = self.container.override(service, replacement)
            override.__enter__()
            self._override_stack.append(override)
        try:
            await application.start()
            self._override_stack.extend(await bridge_buses(self.container))
            self.application = application
            providers = web_providers(application)
            config = self.config
            if config is None:
                config = next((p.web_config for p in providers if p.web_config is not None), None)
            settings = resolve_settings(config, self._settings_overrides())
            self.settings = settings
            controllers = _unique(
                [
                    *self._controllers,
                    *application.controllers,
                    *(c for p in providers for c in p.controllers),
                ]
            )
            handlers = dict(self._exception_handlers)
            for provider in providers:
                for key, value in provider.exception_handlers.items():
                    handlers.setdefault(key, value)
            parts = AppParts(
                controllers=controllers,
                functions=list(self._functions),
                guards=self._guards,
                interceptors=self._interceptors,
                pipes=self._pipes,
                filters=self._filters,
                exception_handlers=handlers,
                error_statuses=self._error_statuses,
                settings=settings,
            )
            compiled = await compile_app(parts, self.container)
            middleware = [*(m for p in providers for m in p.middleware), *self._middleware]
            self._stack = _build_stack(self._dispatch, middleware)
        except BaseException:
            await self._stop_application(application)
            self._exit_overrides()
            raise
        self._compiled = compiled
        self.routes = compiled.registry
        self._static = compiled.router.static_routes
        for provider in providers:
            provider.app = self
        self._started = True

    async def shutdown(self) -> None:
        """Stop the DI application (providers in reverse order, then the container)."""
        if not self._started:
            return
        self._started = False
        self._stack = self._not_started
        application, self.application = self.application, None
        try:
            if application is not None:
                await application.stop()
        finally:
            self._exit_overrides()

    async def _stop_application(self, application: Application) -> None:
        try:
            await application.stop()
        except Exception:
            _log.exception("stopping the DI application after a failed startup failed")

    def _exit_overrides(self) -> None:
        while self._override_stack:
            self._override_stack.pop().__exit__(None, None, None)

    @asynccontextmanager
    async def lifespan(self) -> AsyncGenerator[LexigramApp]:
        """``async with app.lifespan():`` starts the app, and shuts it down on exit."""
        await self.startup()
        try:
            yield self
        finally:
            await self.shutdown()

    # -- ASGI ----------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" or kind == "websocket":
            await self._stack(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _not_started(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Used before startup: start on the first request (servers without lifespan)."""
        lock = self._start_lock
        if lock is None:
            lock = self._start_lock = asyncio.Lock()
        async with lock:
            if not self._started:
                try:
                    await self.startup()
                except Exception as exc:
                    _log.exception("the app failed to start")
                    if scope["type"] == "http":
                        await send_problem(
                            send, exc, scope=scope, status_map=None, debug=self.settings.debug
                        )
                    return
        await self._stack(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await self.startup()
            except BaseException as exc:
                _log.exception("startup failed")
                await send(
                    {"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"}
                )
                return
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            try:
                await self.shutdown()
            except BaseException as exc:
                _log.exception("shutdown failed")
                await send(
                    {"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"}
                )
                return
            await send({"type": "lifespan.shutdown.complete"})

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        root = scope.get("root_path")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        method: str = scope["method"] if scope["type"] == "http" else "WEBSOCKET"
        methods = self._static.get(path)
        if methods is not None:
            endpoint = methods.get(method)
            if endpoint is not None:
                await endpoint(scope, receive, send, {})
                return
        compiled = self._compiled
        assert compiled is not None
        if not _path_is_utf8(scope):
            await self._router_error(
                scope, send, BadRequestError("request path is not valid UTF-8")
            )
            return
        found, params, allowed = compiled.router.lookup(method, path)
        if found is not None:
            await found(scope, receive, send, params)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": ""})
            return
        error = MethodNotAllowedError(allowed) if allowed else NotFoundError()
        await self._router_error(scope, send, error)

    async def _router_error(self, scope: Scope, send: Send, error: Exception) -> None:
        compiled = self._compiled
        assert compiled is not None
        filters = compiled.filters
        if filters is not None:
            handler = filters.lookup(error, status_for(error, compiled.status_map))
            if handler is not None:
                await self._handled_router_error(scope, send, error, handler)
                return
        await send_problem(
            send, error, scope=scope, status_map=compiled.status_map, debug=self.settings.debug
        )

    async def _handled_router_error(
        self, scope: Scope, send: Send, error: Exception, handler: Any
    ) -> None:
        compiled = self._compiled
        assert compiled is not None
        info = RouteInfo(
            method=scope.get("method", ""), path=scope["path"], name="", handler=handler
        )
        ctx = ExecutionContext(scope, _no_receive, send, {}, info, compiled.request_settings)
        status = status_for(error, compiled.status_map)
        try:
            result = await handler(ctx, error)
            await Renderer(status, None, compiled.status_map).send(
                result, send, scope, _no_receive, None, status
            )
        except Exception as exc:
            _log.exception("the exception handler for %s failed", type(error).__name__)
            await send_problem(
                send, exc, scope=scope, status_map=compiled.status_map, debug=self.settings.debug
            )


async def _no_receive() -> Any:
    return {"type": "http.request", "body": b"", "more_body": False}


def _path_is_utf8(scope: Scope) -> bool:
    raw = scope.get("raw_path")
    if raw:
        if raw.isascii() and b"%" not in raw:
            return True
        try:
            unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return "\ufffd" not in scope["path"]


def _unique(items: Iterable[type]) -> list[type]:
    seen: list[type] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _build_stack(app: ASGIApp, middleware: Sequence[Any]) -> ASGIApp:
    """Wrap ``app`` in ``middleware`` (outermost first), once."""
    for entry in reversed(middleware):
        if isinstance(entry, Middleware):
            cls, args, kwargs = entry
            app = cls(app, *args, **kwargs)
        elif callable(entry):
            app = typing.cast(ASGIApp, entry(app))
        else:
            raise TypeError(
                f"middleware {entry!r} is neither a class, a factory nor a"
                " starlette.middleware.Middleware entry"
            )
    return app


def create_app(
    *,
    controllers: Sequence[type] = (),
    providers: Sequence[Any] = (),
    modules: Sequence[Any] = (),
    routes: Sequence[Callable[..., Any]] = (),
    **options: Any,
) -> LexigramApp:
    """Build a ``LexigramApp`` (see its docstring for ``options``)."""
    return LexigramApp(
        controllers=controllers, providers=providers, modules=modules, routes=routes, **options
    )
