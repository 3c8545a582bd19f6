"""Starting an app: everything it declares, compiled once into the ASGI stack it serves.

``assemble`` runs after the lexigram-di ``Application`` started: it settles the one
``WebConfig`` the app runs with (its ``config=``, else the one its ``WebProvider``s agree on,
else the defaults; the keyword settings on top), builds the templates and the OpenAPI site,
gathers routes and components from the app and its providers, compiles them, and wraps the
dispatcher once in ``DefaultMiddlewareStack(config, extra_middlewares=...)`` (its innermost
defaults run in the dispatcher itself: see ``_front``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.types import ASGIApp

from lexigram.di import Application, Container
from lexigram.http_errors import HandlerKey

from ._app_config import effective_config
from ._app_middleware import MiddlewareList
from ._app_options import AppOptions
from ._broadcast.protocol import Broadcaster
from ._compile import compile_app
from ._compiled import AppParts, BuiltinRoute, CompiledApp
from ._config.settings import AppSettings
from ._config.versioning import VersioningConfig
from ._config.web_config import WebConfig
from ._declarations import AppComponents, AppRoutes
from ._declare.errors import ConfigurationError
from ._dispatch import dispatcher
from ._front import fold
from ._health import health_routes
from ._http.templates import Templates, serving_templates
from ._lifecycle.hub import EventHub
from ._observe.setup import Observability
from ._openapi.routes import OpenAPISite
from ._pipeline.components import Component, resolve_component
from ._routing.controllers import ControllerRegistry
from ._routing.registry import RouteRegistry
from ._serve.scale import check_rate_limit_workers
from ._web_module import WebProvider, web_providers
from .middleware import DefaultMiddlewareStack, apply_middleware

__all__ = ["Declared", "Started", "assemble"]


@dataclass(frozen=True, slots=True)
class Declared:
    """An app's parts, as ``assemble`` reads them."""

    app: Any
    """The ``LexigramApp`` (``request.app``)."""
    config: WebConfig | None
    """The app's own ``config=`` (``None``: a provider's, or the defaults)."""
    options: AppOptions
    routes: AppRoutes
    components: AppComponents
    middleware: MiddlewareList
    events: EventHub
    registry: Callable[[], RouteRegistry]
    """The app's current route registry (for the debug routes)."""
    controller_registry: ControllerRegistry
    """The controllers registered with the app (``register_controller``) before it starts."""


@dataclass(frozen=True, slots=True)
class Started:
    """What a started app serves with."""

    compiled: CompiledApp
    site: OpenAPISite
    stack: ASGIApp
    config: WebConfig
    middleware_stack: DefaultMiddlewareStack
    settings: AppSettings
    versioning: VersioningConfig
    templates: Templates | None
    providers: list[WebProvider]
    controllers: list[type]
    observability: Observability | None = None
    """Tracing, metrics and the access log, when any is on (the app stops them)."""


async def assemble(declared: Declared, application: Application, container: Container) -> Started:
    """Compile ``declared`` against the started ``application``; raises on any bad setting."""
    providers = web_providers(application)
    options = declared.options
    config = effective_config(declared.config, (p.web_config for p in providers), options.given)
    settings = options.settings_for(config)
    site = options.openapi_for(config)
    versioning = options.versioning_for(config)
    templates = options.templates_for(config)
    if templates is not None and not container.has(Templates):
        container.singleton(Templates, instance=templates)
    parts = _parts(declared, application, providers, config, settings, versioning)
    parts.builtin_routes.extend(BuiltinRoute(*entry) for entry in site.endpoints())
    if container.has(Broadcaster):
        parts.broadcaster = await container.aresolve(Broadcaster)
    outer = [m for p in providers for m in p.middleware]
    middleware = declared.middleware.stack(config, outer)
    layers, front = fold(middleware.build())  # the innermost defaults run in the dispatcher
    parts.defaults = front.defaults if front is not None else None
    observed = await Observability.build(
        options.observability_for(config), settings, partial(_builtin_guard, container)
    )
    try:
        if observed is not None:
            parts.builtin_routes.extend(BuiltinRoute(*entry) for entry in observed.routes)
            parts.instruments = observed.instruments
        with _collector_paused():
            compiled = await compile_app(parts, container)
            check_rate_limit_workers(compiled.limiter, config)
            if observed is not None:
                observed.check(compiled.router.static_routes, compiled.infos)
            site.publish(
                compiled.registry,
                validation_status=settings.validation_status,
                app_guards=declared.components.guards,
                root_path=config.root_path,
                versioning=versioning,
                body_limited=settings.max_body_size is not None,
            )
        served = apply_middleware(
            serving_templates(dispatcher(compiled, settings.debug, front), templates), layers
        )
        if observed is not None:
            served = observed.wrap(served)
            observed.start()
    except BaseException:
        if observed is not None:
            observed.stop()
        raise
    return Started(
        compiled, site, declared.events.wrap(served), config, middleware, settings, versioning,
        templates, providers, parts.controllers, observed,
    )  # fmt: skip


async def _builtin_guard(container: Container, spec: Any, setting: str) -> Component:
    """The guard ``setting`` names for a built-in endpoint: fixed at startup."""
    guard = await resolve_component(container, spec, "can_activate", setting)
    if guard.instance is None:
        raise ConfigurationError(f"{setting} cannot depend on request-scoped services")
    return guard


@contextmanager
def _collector_paused() -> Generator[None]:
    """No cyclic collection while the routes compile and the OpenAPI document is built:
    compiling allocates many long-lived objects and few cycles, and the document many
    short-lived ones freed as soon as its JSON is encoded, so the collections they would
    trigger (ever longer full passes over a growing heap, with thousands of routes) would
    find next to nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parts(
    declared: Declared,
    application: Application,
    providers: list[WebProvider],
    config: Any,
    settings: AppSettings,
    versioning: VersioningConfig,
) -> AppParts:
    routes = declared.routes
    components = declared.components
    controllers = _unique(
        [
            *routes.controllers,
            *declared.controller_registry.get_all_controllers(),
            *application.controllers,
            *(c for p in providers for c in p.controllers),
        ]
    )
    handlers: dict[HandlerKey, Any] = dict(components.exception_handlers)
    for provider in providers:
        for key, value in provider.exception_handlers.items():
            handlers.setdefault(key, value)
    provider_auth = next(
        (p.debug_routes_auth for p in providers if p.debug_routes_auth is not None), None
    )
    debug_functions = declared.options.debug_functions_for(config, provider_auth, declared.registry)
    return AppParts(
        controllers=controllers,
        functions=[*routes.functions, *debug_functions],
        guards=components.guards,
        interceptors=components.interceptors,
        pipes=components.pipes,
        filters=components.filters,
        exception_handlers=handlers,
        error_statuses=components.error_statuses,
        settings=settings,
        app=declared.app,
        versioning=versioning,
        builtin_routes=health_routes(
            lambda: declared.app.application,
            declared.options.health_for(config),
            debug=settings.debug,
        ),
    )


def _unique(items: list[type]) -> list[type]:
    seen: list[type] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
