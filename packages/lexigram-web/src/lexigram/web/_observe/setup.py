"""Startup of an app's observability: the enabled features, their hooks, routes and logging.

Decided once, when the app starts: with tracing, metrics and the access log all off there is
no middleware, no hook and no per-request work at all. A feature whose extra is missing fails
here with the install command.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp

from .._config.observability import ObservabilityConfig
from .._config.settings import AppSettings
from .._declare.errors import ConfigurationError
from .._http.context import RouteInfo
from .._http.settings import RequestSettings
from .hooks import Endpoint, Instruments
from .logs import ACCESS_LOG_ENV, AccessLog, LogSetup
from .middleware import Feature, ObservabilityMiddleware

__all__ = ["GuardResolver", "Observability", "resolve_observability"]

GuardResolver = Callable[[Any, str], Awaitable[Any]]
"""Resolves a guard setting (an object, a class or an import string) against the app's
container, at startup; the second argument names the setting in error messages."""
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def resolve_observability(option: Any, config: Any) -> ObservabilityConfig:
    """The settings from the ``observability=`` keyword (an ``ObservabilityConfig`` or a
    mapping), else ``config.observability``, then ``$LEXIGRAM_ACCESS_LOG``."""
    if option is None:
        option = getattr(config, "observability", None)
    if option is None:
        found = ObservabilityConfig()
    elif isinstance(option, ObservabilityConfig):
        found = option
    elif isinstance(option, Mapping):
        try:
            found = ObservabilityConfig.model_validate(option)
        except ValidationError as exc:
            raise ConfigurationError(f"invalid observability settings: {exc}") from None
    else:
        raise ConfigurationError(
            f"observability must be an ObservabilityConfig or a mapping, got {option!r}"
        )
    raw = os.environ.get(ACCESS_LOG_ENV)
    if raw is not None:
        wanted = raw.strip().lower()
        if wanted not in _TRUE | _FALSE:
            raise ConfigurationError(
                f"{ACCESS_LOG_ENV}={raw!r} is neither 1 nor 0 (true/false); fix or unset it"
            )
        access = found.access_log.model_copy(update={"enabled": wanted in _TRUE})
        found = found.model_copy(update={"access_log": access})
    return found


def _extra_module(name: str, extra: str, setting: str) -> Any:
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ImportError as exc:
        raise ImportError(
            f"observability.{setting} is on but needs an extra: {exc}"
            f' (pip install "lexigram-web[{extra}]")'
        ) from None


class Observability:
    """The observability of one started app."""

    def __init__(self, config: ObservabilityConfig) -> None:
        self.config = config
        self.features: list[Feature] = []
        self.routes: list[tuple[str, str, Endpoint]] = []
        """The endpoints it serves itself: ``(method, path, endpoint)``."""
        self.instruments: Instruments | None = None
        self.tracing: Any = None
        self.metrics: Any = None
        self._logs: LogSetup | None = None

    @classmethod
    async def build(
        cls, config: ObservabilityConfig, settings: AppSettings, resolve_guard: GuardResolver
    ) -> Observability | None:
        """The features ``config`` turns on (``None`` when it turns none on)."""
        if not config.enabled:
            return None
        built = cls(config)
        request_settings = RequestSettings(trusted_proxies=settings.trusted_proxies)
        instruments = Instruments()
        if config.tracing.enabled:
            otel = _extra_module("tracing", "otel", "tracing")
            built.tracing = otel.Tracing.from_config(config.tracing)
            built.features.append(built.tracing)
            if config.tracing.pipeline_spans:
                instruments.tracer = built.tracing
        if config.metrics.enabled:
            prometheus = _extra_module("metrics", "prometheus", "metrics")
            built.metrics = metrics = prometheus.Metrics.from_config(config.metrics)
            built.features.append(metrics.feature)
            instruments.throttle = metrics.record_throttle
            guard = None
            if config.metrics.guard is not None:
                guard = await resolve_guard(config.metrics.guard, "observability.metrics.guard")
            path = config.metrics.path
            built.routes.append(("GET", path, metrics.endpoint(path, guard, request_settings)))
        if config.access_log.enabled:
            built.features.append(AccessLog(request_settings.client_ip))
            built._logs = LogSetup(config.access_log.format)
        built.instruments = instruments
        return built

    def check(
        self, static_routes: Mapping[str, Mapping[str, object]], infos: Mapping[int, RouteInfo]
    ) -> None:
        """After compilation (the router's static routes, the route infos by endpoint id):
        the metrics path must not be an application route's."""
        if self.metrics is None:
            return
        path = self.config.metrics.path
        endpoint = static_routes.get(path, {}).get("GET")
        info = infos.get(id(endpoint)) if endpoint is not None else None
        if info is not None:
            raise ConfigurationError(
                f"observability.metrics.path {path!r} is also the path of {info.name}"
                f" ({info.method} {info.path}); set observability.metrics.path to a free path"
            )

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """``app`` in the observability layer (a feature's own when it is the only one on)."""
        if len(self.features) == 1:
            alone = self.features[0].alone(app)
            if alone is not None:
                return alone
        return ObservabilityMiddleware(app, self.features)

    def start(self) -> None:
        if self._logs is not None:
            self._logs.install()

    def stop(self) -> None:
        try:
            if self.metrics is not None:
                self.metrics.stop()
            if self.tracing is not None:
                self.tracing.shutdown()
        finally:
            if self._logs is not None:
                self._logs.uninstall()
