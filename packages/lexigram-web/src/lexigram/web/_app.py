"""``LexigramApp``: the ASGI application object, composed of small parts.

Any ASGI server runs it. Its lifespan starts the lexigram-di ``Application`` (modules and
providers), compiles every route once, builds the middleware stack once, and on shutdown stops
the DI application. Requests then go straight from the middleware stack to a dict lookup (static
paths) or a trie walk (parameterised paths) and into the route's compiled endpoint.

The parts: ``AppRoutes`` (controllers, handlers, route decorators), ``AppComponents``
(app-wide guards, interceptors, pipes, filters), ``MiddlewareList``, ``AppLifespan`` (the DI
application, modules, providers, overrides) and ``AppOptions`` (keyword settings);
``_startup.assemble`` turns them into the served stack.
"""

from __future__ import annotations

import typing
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal, TypeVar, Unpack, overload

from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.di import Application, Container, Lifetime
from lexigram.http_errors import HandlerKey

from ._app_config import as_web_config, effective_config
from ._app_middleware import MiddlewareList
from ._app_options import UNSET, AppOptions, Unset
from ._broadcast.protocol import Broadcaster
from ._compiled import CompiledApp
from ._config.health import HealthConfig
from ._config.versioning import VersioningConfig
from ._config.web_config import WebConfig
from ._declarations import AppComponents, AppRoutes, Gate, RouteVerb
from ._declare.decorators import RouteOptions, WebSocketOptions
from ._dispatch import entry_of
from ._http.connections import OpenConnections
from ._http.templates import Templates, TemplatesConfig
from ._lifecycle.events import LifespanShutdownCompleted, LifespanStartupCompleted
from ._lifecycle.hub import EventHub
from ._lifespan import AppLifespan, run_lifespan
from ._observe.setup import Observability
from ._openapi.routes import OpenAPIOption, OpenAPISite
from ._routing.controllers import ControllerRegistry
from ._routing.registry import RouteRegistry
from ._startup import Declared, Started, assemble
from .middleware import DefaultMiddlewareStack

__all__ = ["LexigramApp", "create_app"]

_CLOSE_WAIT = 5.0  # seconds the shutdown waits for the open event streams and websockets
F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)
E = TypeVar("E")


class LexigramApp:
    """An ASGI application: controllers, function handlers, DI, middleware, one error shape.

    Quickstart (no modules, the app owns its container)::

        app = LexigramApp()

        @app.singleton
        class UserService: ...

        @app.get("/users/{id:int}")
        async def get_user(id: int, users: UserService) -> User: ...

    Larger apps pass ``controllers=``, ``modules=`` / ``providers=`` (lexigram-di) and
    ``config=`` (a ``WebConfig`` or a mapping; else a ``WebProvider``'s, else the defaults):
    every setting takes effect, the app installing the middleware it asks for
    (``app.middleware_stack`` once started). Keywords win over ``config`` (``app.config`` is
    what runs): ``debug``, ``validation_status``, ``trusted_proxies``, ``fail_on_route_conflict``,
    ``max_body_size`` and ``strict_body``, as in ``WebConfig``. ``middleware``: your own
    (classes or ``Middleware(cls, **options)``), outermost first, in front of the defaults.
    ``openapi`` adjusts the OpenAPI document and docs pages (``config.openapi``):
    ``False`` disables them, a mapping updates settings (``{"title": "Shop"}``), an
    ``OpenAPIConfig`` replaces them; ``app.openapi()`` returns the document.
    ``versioning`` (a ``VersioningConfig``), ``templates`` (a directory, ``TemplatesConfig``
    or ``Templates``), ``health`` (``False``, a mapping or a ``HealthConfig``),
    ``debug_routes`` and ``debug_routes_auth`` override the same ``config`` settings.
    ``observability`` (an ``ObservabilityConfig`` or a mapping) turns on tracing, metrics
    and the access log (``config.observability``).
    ``broadcaster`` replaces the ``Broadcaster`` that ``config.broadcast`` describes (memory
    by default); the one in use is ``app.broadcaster`` and ``Broadcaster`` in the container.
    ``app.on(EventType, handler)`` subscribes to lifecycle events (``RequestReceived``, ...).
    ``app.open_connections``: the open event streams and websockets, ended first at shutdown
    (or earlier through the lifespan state key ``"lexigram.web.open_connections"``).
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
        max_body_size: int | Literal[Unset.UNSET] | None = UNSET,
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
        strict_body: bool | None = None,
        observability: Any = None,
        broadcaster: Any = None,
    ) -> None:
        self.container = container if container is not None else Container()
        self._given_config = as_web_config(config)
        gate = self._gate = Gate()
        self._routes = AppRoutes(controllers, routes, gate)
        self._components = AppComponents(
            gate, exception_handlers=exception_handlers, filters=filters, guards=guards,
            interceptors=interceptors, pipes=pipes, error_statuses=error_statuses,
        )  # fmt: skip
        self._middleware = MiddlewareList(middleware, gate)
        self._lifespan = AppLifespan(modules, providers, gate, broadcaster)
        self._options = AppOptions(
            debug=debug, validation_status=validation_status, trusted_proxies=trusted_proxies,
            fail_on_route_conflict=fail_on_route_conflict, max_body_size=max_body_size,
            strict_body=strict_body, openapi=openapi, versioning=versioning, templates=templates,
            health=health, debug_routes=debug_routes, debug_routes_auth=debug_routes_auth,
            observability=observability,
        )  # fmt: skip
        self.events = EventHub()
        self.versioning = versioning or VersioningConfig()
        self.templates: Templates | None = None
        self.config: WebConfig = effective_config(self._given_config, [], self._options.given)
        """The configuration the app runs with (final once started)."""
        self.settings = self._options.settings_for(self.config)
        self.middleware_stack: DefaultMiddlewareStack | None = None
        """The middleware stack the app built at startup (``None`` before)."""
        self.controller_registry = ControllerRegistry()
        """The controllers this app serves (given, registered, from modules and providers)."""
        self.routes = RouteRegistry(controller_registry=self.controller_registry)
        self._compiled: CompiledApp | None = None
        self._openapi_site: OpenAPISite | None = None
        self._serve_stack(self._not_started)
        self._observability: Observability | None = None
        self.open_connections = OpenConnections()

    # -- introspection -------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._gate.started

    @property
    def application(self) -> Application | None:
        """The running lexigram-di ``Application`` (``None`` unless started)."""
        return self._lifespan.application

    @property
    def broadcaster(self) -> Broadcaster | None:
        """The app's ``Broadcaster`` (``None`` unless started)."""
        return self._lifespan.broadcaster

    def openapi(self) -> dict[str, Any]:
        """The app's OpenAPI 3.1 document (built once; the app must be started)."""
        site = self._openapi_site
        if site is None or not self.started:
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
        if self.started:
            return
        self.open_connections = OpenConnections()
        application = await self._lifespan.start(self.container, self.config)
        declared = Declared(
            self, self._given_config, self._options, self._routes, self._components,
            self._middleware, self.events, lambda: self.routes, self.controller_registry,
        )  # fmt: skip
        try:
            started = await assemble(declared, application, self.container)
        except BaseException:
            await self._lifespan.abort(application)
            raise
        self._serve(started)
        if self.events.has_subscribers(LifespanStartupCompleted):
            await self.events.emit(LifespanStartupCompleted(self))

    def _serve(self, started: Started) -> None:
        self.config = started.config
        self.middleware_stack = started.middleware_stack
        self.settings = started.settings
        self.versioning = started.versioning
        self.templates = started.templates
        self._compiled = started.compiled
        self._openapi_site = started.site
        self.routes = started.compiled.registry
        self._serve_stack(started.stack)
        self._observability = started.observability
        for provider in started.providers:
            provider.app = self
        self._gate.started = True
        for cls in started.controllers:
            self.controller_registry.record(cls)
        self.controller_registry.freeze("the app")
        self.events.freeze()

    async def shutdown(self) -> None:
        """End the open event streams and websockets (see ``open_connections``), then stop the
        DI application (providers in reverse order, then the container)."""
        if not self.started:
            return
        self._gate.started = False
        await self.open_connections.end(_CLOSE_WAIT)
        self._serve_stack(self._not_started)
        observed, self._observability = self._observability, None
        try:
            await self._lifespan.stop()
        finally:
            if observed is not None:
                observed.stop()
            self.events.thaw()
            self.controller_registry.thaw()
        if self.events.has_subscribers(LifespanShutdownCompleted):
            await self.events.emit(LifespanShutdownCompleted(self))

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
            try:
                await self._enter(scope, receive, send)
            except Exception as exc:
                crashed = self._crashed
                if crashed is None:
                    raise
                await crashed(scope, send, exc)
        elif kind == "lifespan":

            async def startup() -> None:
                await self.startup()
                self.open_connections.publish(scope)

            await run_lifespan(startup, self.shutdown, receive, send)

    def _serve_stack(self, stack: ASGIApp) -> None:
        self._stack = stack
        self._enter, self._crashed = entry_of(stack)

    async def _not_started(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Used before startup: start on the first request (servers without lifespan)."""
        if await self._lifespan.start_for(self.startup, scope, send, self.settings.debug):
            await self._stack(scope, receive, send)

    # -- declarations (see AppRoutes, AppComponents, MiddlewareList, AppLifespan) --------------
    def add_controller(self, controller: type) -> None:
        self._routes.add_controller(controller)

    def add_route(self, handler: Callable[..., Any]) -> None:
        """Add a function decorated with ``@get``/``@post``/... from ``lexigram.web``."""
        self._routes.add_route(handler)

    def add_middleware(self, middleware: Any, **options: Any) -> None:
        """Append a middleware (innermost so far); ``options`` are passed to its constructor."""
        self._middleware.add(middleware, **options)

    def add_exception_handler(self, key: HandlerKey, handler: Any) -> None:
        """App-level handler for an exception type or a status code: ``handler(request, exc)``."""
        self._components.add_exception_handler(key, handler)

    def add_filter(self, filter_: Any) -> None:
        self._components.add("add a filter", self._components.filters, filter_)

    def use_guards(self, *guards: Any) -> None:
        self._components.add("add guards", self._components.guards, *guards)

    def use_interceptors(self, *interceptors: Any) -> None:
        self._components.add("add interceptors", self._components.interceptors, *interceptors)

    def use_pipes(self, *pipes: Any) -> None:
        self._components.add("add pipes", self._components.pipes, *pipes)

    def error_status(self, error_type: type[BaseException], status_code: int) -> None:
        """Map ``error_type`` to ``status_code`` for this app only."""
        self._components.error_status(error_type, status_code)

    def add_module(self, module: Any) -> None:
        self._lifespan.add_module(module)

    def add_provider(self, provider: Any) -> None:
        self._lifespan.add_provider(provider)

    def override(self, service: Any, replacement: Any) -> None:
        """Replace a container service for this app's lifetime (tests); call before startup."""
        self._lifespan.override(service, replacement)

    @overload
    def on(self, event_type: type[E]) -> Callable[[Callable[[E], Any]], Callable[[E], Any]]: ...
    @overload
    def on(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[E], Any]: ...
    def on(self, event_type: type[E], handler: Callable[[E], Any] | None = None) -> Any:
        """Subscribe ``handler(event)`` (sync or async) to a lifecycle event type.

        The types: ``RequestReceived``, ``ResponsePrepared``, ``LifespanStartupCompleted``,
        ``LifespanShutdownCompleted``. Without ``handler``, a decorator. Before startup only:
        the request pipeline includes the publishing step only when there are subscribers."""
        self._gate.check("subscribe to an event")
        if handler is None:
            return self.events.on(event_type)
        return self.events.on(event_type, handler)

    # -- quickstart services -------------------------------------------------------------------
    def singleton(self, cls: C) -> C:
        """Register ``cls`` in this app's container as a singleton (class decorator)."""
        self.container.register(cls, lifetime=Lifetime.SINGLETON)
        return cls

    def scoped(self, cls: C) -> C:
        """Register ``cls`` as request-scoped (one instance per request)."""
        self.container.register(cls, lifetime=Lifetime.SCOPED)
        return cls

    def injectable(self, cls: C) -> C:
        """Register ``cls`` as transient (a new instance per injection)."""
        self.container.register(cls, lifetime=Lifetime.TRANSIENT)
        return cls

    transient = injectable

    # -- quickstart routes ---------------------------------------------------------------------
    def route(
        self, method: str, path: str = "", **options: Unpack[RouteOptions]
    ) -> Callable[[F], F]:
        """Decorate a function as the handler of ``method`` on ``path`` in this app."""
        return self._routes.route(method, path, **options)

    get = RouteVerb("GET")
    post = RouteVerb("POST")
    put = RouteVerb("PUT")
    patch = RouteVerb("PATCH")
    delete = RouteVerb("DELETE")
    head = RouteVerb("HEAD")
    options = RouteVerb("OPTIONS")
    trace = RouteVerb("TRACE")

    def websocket(self, path: str = "", **options: Unpack[WebSocketOptions]) -> Callable[[F], F]:
        return self._routes.route("WEBSOCKET", path, **typing.cast(RouteOptions, options))

    def websocket_handler(self, path: str = "", **options: Any) -> Callable[[C], C]:
        """``@websocket_handler(path, ...)`` on a class, added to this app."""
        return self._routes.websocket_handler(path, **options)

    def sse(self, path: str = "", **options: Any) -> Callable[[F], F]:
        """``@sse(path, ...)`` on an async generator function, added to this app."""
        return self._routes.sse(path, **options)


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
