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
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.di import Application, Container
from lexigram.http_errors import (
    HandlerKey,
)

from ._broadcast.protocol import Broadcaster
from ._broadcast.provider import BroadcastProvider
from ._compile import compile_app
from ._compiled import AppParts, BuiltinRoute, CompiledApp
from ._config.health import HealthConfig, resolve_health
from ._config.settings import resolve_settings
from ._config.versioning import VersioningConfig
from ._debug_routes import debug_route_functions
from ._declarations import AppDeclarations
from ._dispatch import Dispatcher, build_stack
from ._events import LifespanShutdownCompleted, LifespanStartupCompleted
from ._events_hub import EventHub
from ._health import health_routes
from ._http.templates import Templates, TemplatesConfig, build_templates, serving_templates
from ._lifespan import run_lifespan
from ._openapi.routes import OpenAPIOption, OpenAPISite, resolve_openapi_config
from ._pipeline.error_responder import send_problem
from ._pipeline.seams import bridge_buses
from ._routing.registry import RouteRegistry
from ._scale import check_rate_limit_workers
from ._web_module import web_providers

__all__ = ["LexigramApp", "create_app"]

_log = logging.getLogger("lexigram.web")
F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


class _Unset(enum.Enum):
    UNSET = 0


UNSET: Literal[_Unset.UNSET] = _Unset.UNSET


class LexigramApp(AppDeclarations):
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
    ``openapi`` adjusts the OpenAPI document and docs pages (``config.openapi``):
    ``False`` disables them, a mapping updates settings (``{"title": "Shop"}``), an
    ``OpenAPIConfig`` replaces them; ``app.openapi()`` returns the document.
    ``versioning`` (a ``VersioningConfig``), ``templates`` (a directory, ``TemplatesConfig``
    or ``Templates``), ``health`` (``False``, a mapping or a ``HealthConfig``),
    ``debug_routes`` and ``debug_routes_auth`` override the same ``config`` settings.
    ``broadcaster`` (a ``Broadcaster``) replaces the one ``config.broadcast`` describes (memory
    by default); once started, ``app.broadcaster`` is the one in use, also resolvable from the
    container as ``Broadcaster`` (and injected into handlers that declare it).
    ``app.on(EventType, handler)`` subscribes to lifecycle events (``RequestReceived``, ...).
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
        openapi: OpenAPIOption = None,
        versioning: VersioningConfig | None = None,
        templates: str | TemplatesConfig | Templates | Any = None,
        health: bool | HealthConfig | Mapping[str, Any] | None = None,
        debug_routes: bool | None = None,
        debug_routes_auth: Any = None,
        broadcaster: Any = None,
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
        self._openapi_option = openapi
        self._openapi_site: OpenAPISite | None = None
        self._features: dict[str, Any] = {
            "versioning": versioning,
            "templates": templates,
            "health": health,
            "debug_routes": debug_routes,
            "debug_routes_auth": debug_routes_auth,
        }
        self._broadcaster_option = broadcaster
        self._registered_broadcaster = False
        self.broadcaster: Broadcaster | None = None
        """The app's ``Broadcaster`` (set when the app starts)."""
        self.events = EventHub()
        self.versioning = versioning or VersioningConfig()
        self.templates: Templates | None = None
        self.settings = resolve_settings(config, self._settings_overrides())
        self.routes = RouteRegistry()
        self.application: Application | None = None
        self._compiled: CompiledApp | None = None
        self._stack: ASGIApp = self._not_started
        self._started = False
        self._start_lock: asyncio.Lock | None = None

    # -- declaration ---------------------------------------------------------------------------
    def _settings_overrides(self) -> dict[str, Any]:
        overrides = dict(self._setting_overrides)
        if self._max_body_size is not UNSET:
            overrides["max_body_size"] = self._max_body_size
        return overrides

    # -- introspection -------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._started

    def openapi(self) -> dict[str, Any]:
        """The app's OpenAPI 3.1 document (built once; the app must be started)."""
        site = self._openapi_site
        if site is None or not self._started:
            raise RuntimeError(
                "the OpenAPI document is built from the compiled routes: start the app first"
                " (async with app.lifespan(): ...)"
            )
        return site.document()

    def url_for(self, name: str, /, **params: Any) -> str:
        """The path of the route named ``name`` (available once started)."""
        return self.routes.url_for(name, **params)

    # -- lifecycle -----------------------------------------------------------------------------
    async def startup(self) -> None:
        """Start the DI application, compile the routes, build the middleware stack."""
        if self._started:
            return
        broadcast = BroadcastProvider(
            self._broadcaster_option,
            lambda: self._web_config(application),
            replace=self._registered_broadcaster,
        )
        application = Application(
            self._modules, [*self._providers, broadcast], container=self.container
        )
        for service, replacement in self._overrides:
            override = self.container.override(service, replacement)
            override.__enter__()
            self._override_stack.append(override)
        try:
            await application.start()
            self._override_stack.extend(await bridge_buses(self.container))
            self.application = application
            providers = web_providers(application)
            config = self._web_config(application)
            settings = resolve_settings(config, self._settings_overrides())
            self.settings = settings
            site = OpenAPISite.create(resolve_openapi_config(config, self._openapi_option))
            features = self._features
            versioning = features["versioning"] or getattr(config, "versioning", None)
            self.versioning = versioning or VersioningConfig()
            self.templates = templates = build_templates(features["templates"], config)
            if templates is not None and not self.container.has(Templates):
                self.container.singleton(Templates, instance=templates)
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
                functions=[*self._functions, *self._debug_functions(config)],
                guards=self._guards,
                interceptors=self._interceptors,
                pipes=self._pipes,
                filters=self._filters,
                exception_handlers=handlers,
                error_statuses=self._error_statuses,
                settings=settings,
                app=self,
                versioning=self.versioning,
                builtin_routes=health_routes(
                    lambda: self.application,
                    resolve_health(features["health"], config),
                    debug=settings.debug,
                ),
            )
            parts.builtin_routes.extend(BuiltinRoute(*entry) for entry in site.endpoints())
            compiled = await compile_app(parts, self.container)
            check_rate_limit_workers(compiled.limiter, config)
            site.publish(
                compiled.registry,
                validation_status=settings.validation_status,
                app_guards=self._guards,
                root_path=str(getattr(config, "root_path", "") or ""),
                versioning=self.versioning,
                body_limited=settings.max_body_size is not None,
            )
            middleware = [*(m for p in providers for m in p.middleware), *self._middleware]
            dispatcher = serving_templates(Dispatcher(compiled, settings.debug), templates)
            self._stack = self.events.wrap(build_stack(dispatcher, middleware))
        except BaseException:
            await self._stop_application(application)
            self._exit_overrides()
            raise
        self._compiled = compiled
        self.broadcaster = broadcast.broadcaster
        self._registered_broadcaster = broadcast.owned
        self._openapi_site = site
        self.routes = compiled.registry
        for provider in providers:
            provider.app = self
        self._started = True
        self.events.freeze()
        if self.events.has_subscribers(LifespanStartupCompleted):
            await self.events.emit(LifespanStartupCompleted(self))

    async def shutdown(self) -> None:
        """Stop the DI application (providers in reverse order, then the container)."""
        if not self._started:
            return
        self._started = False
        self._stack = self._not_started
        application, self.application = self.application, None
        self.broadcaster = None
        try:
            if application is not None:
                await application.stop()
        finally:
            self._exit_overrides()
            self.events.thaw()
        if self.events.has_subscribers(LifespanShutdownCompleted):
            await self.events.emit(LifespanShutdownCompleted(self))

    def _web_config(self, application: Application) -> Any:
        """``config=``, else the ``web_config`` of the first ``WebProvider`` that has one."""
        if self.config is not None:
            return self.config
        found = (p.web_config for p in web_providers(application))
        return next((c for c in found if c is not None), None)

    def _debug_functions(self, config: Any) -> list[Callable[..., Any]]:
        enabled = self._features["debug_routes"]
        auth = self._features["debug_routes_auth"] or getattr(config, "debug_routes_auth", None)
        if auth is None and self.application is not None:
            found = (p.debug_routes_auth for p in web_providers(self.application))
            auth = next((a for a in found if a is not None), None)
        if enabled is None:
            enabled = bool(getattr(config, "debug_routes", False))
        return debug_route_functions(enabled, auth, lambda: self.routes)

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
            await run_lifespan(self.startup, self.shutdown, receive, send)

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


def _unique(items: Iterable[type]) -> list[type]:
    seen: list[type] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


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
