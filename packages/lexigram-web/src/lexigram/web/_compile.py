"""Startup compilation: controllers and function handlers -> router + route registry.

Runs once, when the app starts (after the DI application booted). Every configuration problem
(bad path, duplicate route, unresolvable parameter, guard without its dependencies, throttle
without a limiter, ...) raises ``ConfigurationError`` here, naming the handler and the fix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lexigram.di import Container
from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers, HandlerKey

from ._binding.compiler import PlanCache, compile_binding
from ._binding.signature import HintsCache
from ._binding.validation import Adapters
from ._compiled import AppParts, CompiledApp, Owner, route_info, with_heads
from ._config.versioning import VersioningConfig
from ._controllers.controller import controller_routes
from ._declare.decorators import WEBSOCKET, RouteConfig, route_configs
from ._declare.di import (
    ServiceGetter,
    is_coroutine_callable,
    register_marked_dependencies,
    service_getter,
)
from ._declare.errors import ConfigurationError
from ._declare.metadata import (
    mro_items,
    mro_mapping,
    mro_value,
    read_items,
    read_value,
)
from ._http.context import RouteInfo
from ._http.error_log import ServerErrorLog
from ._http.settings import RequestSettings
from ._observe.observation import route_template
from ._pipeline.components import Component, resolve_component
from ._pipeline.core import Endpoint, EndpointParts
from ._pipeline.endpoint import build_endpoint, build_endpoints
from ._pipeline.filters import ErrorHandler, build_level
from ._pipeline.throttle import CountedCheck, RateLimitCheck, find_limiter, route_check
from ._routing.path_template import PathTemplate, join_paths, parse_template
from ._routing.registry import RouteRegistry
from ._routing.router import RouteConflictError, Router
from ._shared_parts import SharedParts
from ._versioning.routes import VersionRouting, route_version
from ._ws.endpoint import build_websocket_endpoint

__all__ = ["compile_app"]


class _Compiler:
    def __init__(self, parts: AppParts, container: Container) -> None:
        self.parts = parts
        self.container = container
        self.settings = parts.settings
        self.registry = RouteRegistry()
        self.request_settings = RequestSettings(
            max_body_size=parts.settings.max_body_size,
            body_timeout=parts.settings.body_timeout,
            trusted_proxies=parts.settings.trusted_proxies,
            router=self.registry,
            app=parts.app,
            error_log=ServerErrorLog(),
            defaults=parts.defaults,
        )
        self.router: Router[Endpoint] = Router(
            fail_on_conflict=parts.settings.fail_on_route_conflict
        )
        self.status_map = ErrorStatusMap(parts.error_statuses)
        self.limiter: Any = None
        self.default_policy: Any = None
        self.infos: dict[int, RouteInfo] = {}
        self.hints: HintsCache = {}
        self.plans: PlanCache = {}
        self.adapters = Adapters()
        self.explicit_heads: set[str] = set()
        self.pending_heads: list[tuple[PathTemplate, RouteInfo, Endpoint]] = []
        self.shared = SharedParts(parts.settings.debug)
        self.versions = VersionRouting(
            parts.versioning or VersioningConfig(),
            debug=parts.settings.debug,
            fail_on_conflict=parts.settings.fail_on_route_conflict,
            defaults=parts.defaults,
        )

    async def run(self) -> CompiledApp:
        parts = self.parts
        app_filters = await self._filter_level(
            parts.exception_handlers, parts.filters, None, "the app's filters"
        )
        app_owner = Owner(
            cls=None,
            prefix="",
            guards=[
                await self._component(g, "can_activate", "a global guard") for g in parts.guards
            ],
            interceptors=[
                await self._component(i, "intercept", "a global interceptor")
                for i in parts.interceptors
            ],
            pipes=tuple(parts.pipes),
            status_map=self.status_map,
            filters=app_filters,
            throttle=None,
            custom={},
        )
        await self._setup_limiter()
        for cls in parts.controllers:
            await self._controller(cls, app_owner)
        for fn in parts.functions:
            for config in _configs_of(fn):
                await self._route(fn, config, app_owner, None)
        for template, head_info, head in self.pending_heads:
            if template.shape not in self.explicit_heads:
                self._add(template, head_info, head, False)
        for method, template, endpoint, info in self.versions.tables():
            self.router.add(method, template, endpoint)
            self.infos[id(endpoint)] = info
        static = self.router.static_routes
        instruments = parts.instruments
        for method, path, endpoint in with_heads(parts.builtin_routes, parts.defaults):
            if method not in static.get(path, {}):
                if instruments is not None:
                    endpoint = instruments.endpoint(endpoint, path, method)
                self.router.add(method, path, endpoint)
        router = self.router
        infos = self.infos

        def match(method: str, path: str) -> RouteInfo | None:
            endpoint = router.lookup(method, path)[0]
            return infos.get(id(endpoint)) if endpoint is not None else None

        self.registry.set_matcher(match)
        return CompiledApp(
            router, self.registry, self.status_map, app_filters, self.request_settings,
            self.limiter, infos,
        )  # fmt: skip

    # -- pieces ------------------------------------------------------------------------------
    async def _component(self, item: Any, method: str, label: str) -> Component:
        return await resolve_component(self.container, item, method, label)

    async def _filter_level(
        self,
        handlers: Mapping[HandlerKey, Any] | None,
        filters: Sequence[Any],
        parent: ExceptionHandlers[ErrorHandler] | None,
        label: str,
    ) -> ExceptionHandlers[ErrorHandler] | None:
        instances = [(await self._component(f, "catch", label)).instance for f in filters]
        if any(i is None for i in instances):
            raise ConfigurationError(f"{label}: exception filters cannot depend on scoped services")
        try:
            return build_level(handlers, instances, parent)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{label}: {exc}") from exc

    async def _setup_limiter(self) -> None:
        try:
            limiter = await find_limiter(self.container)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
        if limiter is None:
            return
        self.limiter = limiter
        default_rate = getattr(limiter, "default_rate", None)
        if default_rate:
            try:
                self.default_policy = limiter.policy(default_rate)
            except ValueError as exc:
                raise ConfigurationError(f"the limiter's default_rate is invalid: {exc}") from exc

    async def _controller(self, cls: type, app: Owner) -> None:
        label = f"controller {cls.__qualname__}"
        if not isinstance(cls, type):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError(f"{cls!r} is not a controller class")
        routes = controller_routes(cls)
        getter, instance = await self._controller_instance(cls, label)
        filters = await self._filter_level(
            getattr(cls, "exception_handlers", None) or None,
            list(read_items(cls, "filters")),
            app.filters,
            label,
        )
        owner = Owner(
            cls=cls,
            prefix=getattr(cls, "prefix", "") or "",
            guards=[
                *app.guards,
                *[
                    await self._component(g, "can_activate", label)
                    for g in mro_items(cls, "guards")
                ],
            ],
            interceptors=[
                *app.interceptors,
                *[
                    await self._component(i, "intercept", label)
                    for i in mro_items(cls, "interceptors")
                ],
            ],
            pipes=(*app.pipes, *mro_items(cls, "pipes")),
            status_map=ErrorStatusMap.for_class(cls, parent=self.status_map),
            filters=filters,
            throttle=mro_value(cls, "throttle"),
            custom=mro_mapping(cls, "custom"),
            instance=instance,
            getter=getter,
        )
        for name, fn, config in routes:
            await self._route(fn, config, owner, name)

    async def _controller_instance(self, cls: type, label: str) -> tuple[ServiceGetter | None, Any]:
        container = self.container
        if not container.has(cls):
            container.register(cls)
            register_marked_dependencies(container, cls)
        try:
            getter = service_getter(container, cls)
        except Exception as exc:
            raise ConfigurationError(f"{label} cannot be built: {exc}") from exc
        if getter.needs_scope:
            return getter, None
        instance = getter.get(None)
        if getter.is_async:
            instance = await instance
        return None, instance

    async def _route(
        self, fn: Callable[..., Any], config: RouteConfig, owner: Owner, method_name: str | None
    ) -> None:
        qualname = f"{owner.cls.__qualname__}.{method_name}" if owner.cls else fn.__qualname__
        label = f"handler {qualname} ({config.method} {config.path})"
        version = route_version(fn, owner.cls)
        try:
            prefix = join_paths(self.versions.prefix(version), owner.prefix)
            template = parse_template(join_paths(prefix, config.path))
        except ValueError as exc:
            raise ConfigurationError(f"{label}: {exc}") from exc
        guards = [
            *owner.guards,
            *[await self._component(g, "can_activate", label) for g in read_items(fn, "guards")],
        ]
        interceptors = [
            *owner.interceptors,
            *[await self._component(i, "intercept", label) for i in read_items(fn, "interceptors")],
        ]
        pipes = (*owner.pipes, *read_items(fn, "pipes"))
        is_ws = config.method == WEBSOCKET
        plan = compile_binding(
            fn,
            label=label,
            skip_first=owner.cls is not None,
            path_types=template.param_types,
            container=self.container,
            pipes=pipes,
            validation_status=self.settings.validation_status,
            websocket=is_ws,
            strict_body=(
                self.settings.strict_body if config.strict_body is None else config.strict_body
            ),
            hints_cache=self.hints,
            plan_cache=self.plans,
            adapters=self.adapters,
        )
        filters = await self._filter_level(
            config.extra.get("exception_handlers"), list(read_items(fn, "filters")), owner.filters,
            label,
        )  # fmt: skip
        throttle = None if is_ws else self._throttle(fn, owner, config.method, template.path, label)
        instruments = self.parts.instruments
        info = route_info(fn, config, owner, method_name, template.path, guards, interceptors)
        where = f"{config.method} {template.path} (handler {qualname})"
        info.pipes, info.params, info.returns = pipes, plan.params, plan.returns
        info.throttled, info.version = throttle is not None, version
        renderer = self.shared.renderer(config, owner.status_map, plan.returns, where)
        call = (
            fn
            if owner.cls is None or owner.getter is not None
            else getattr(owner.instance, method_name or "")
        )
        parts = EndpointParts(
            info=info,
            plan=plan,
            call=call,
            is_coroutine=is_coroutine_callable(fn),
            controller=owner.getter,
            guards=guards,
            interceptors=interceptors,
            throttle=throttle,
            renderer=renderer,
            filters=filters,
            status_map=owner.status_map,
            container=self.container,
            settings=self.request_settings,
            debug=self.settings.debug,
            tracer=instruments.tracer if instruments is not None else None,
            broadcaster=self.parts.broadcaster,
            responder=None if is_ws else self.shared.responder(filters, owner.status_map, renderer),
        )
        self._declare(template, parts, config)

    def _throttle(
        self, fn: Callable[..., Any], owner: Owner, method: str, path: str, label: str
    ) -> RateLimitCheck | None:
        """The route's rate limit (counting its decisions when metrics are on), if any."""
        spec = read_value(fn, "throttle") or owner.throttle
        throttle = route_check(spec, self.limiter, self.default_policy, f"{method} {path}", label)
        instruments = self.parts.instruments
        if throttle is not None and instruments is not None and instruments.throttle is not None:
            policy = spec.rate if spec is not None else str(self.limiter.default_rate)
            allowed, denied = instruments.throttle(route_template(path), policy)
            throttle = CountedCheck(throttle, allowed, denied)
        return throttle

    def _declare(self, template: PathTemplate, parts: EndpointParts, config: RouteConfig) -> None:
        """Add the route, and the HEAD route a GET route implies (one pipeline for both)."""
        info = parts.info
        explicit = config.name is not None
        if config.method == "HEAD":
            self.explicit_heads.add(template.shape)
        if config.method != "GET":
            build = build_websocket_endpoint if config.method == WEBSOCKET else build_endpoint
            self._add(template, info, build(parts), explicit)
            return
        head_info = copy.copy(info)  # the GET route's, answering HEAD
        head_info.method, head_info.auto_head = "HEAD", True
        endpoint, head = build_endpoints(parts, head_info)
        self._add(template, info, endpoint, explicit)
        assert head is not None
        self.pending_heads.append((template, head_info, head))

    def _add(
        self, template: PathTemplate, info: RouteInfo, endpoint: Endpoint, explicit: bool
    ) -> None:
        if self.parts.instruments is not None:
            endpoint = self.parts.instruments.endpoint(endpoint, info.path, info.method)
        endpoint = self.versions.wrap(endpoint, info)
        try:
            if not self.versions.defer(info, template, endpoint):
                self.router.add(info.method, template, endpoint)
            self.registry.add(info, template, explicit_name=explicit and not info.auto_head)
        except RouteConflictError:
            raise
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
        self.infos[id(endpoint)] = info


def _configs_of(fn: Callable[..., Any]) -> tuple[RouteConfig, ...]:
    configs = route_configs(fn)
    if not configs:
        raise ConfigurationError(
            f"{getattr(fn, '__qualname__', fn)!r} was given as a route but has no @get/@post/..."
            " decorator"
        )
    return configs


async def compile_app(parts: AppParts, container: Container) -> CompiledApp:
    """Compile everything ``parts`` declares against ``container``."""
    return await _Compiler(parts, container).run()
