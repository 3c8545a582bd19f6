"""``AppOptions``: the keyword settings of ``LexigramApp``, which win over its ``config``.

Each ``*_for(config)`` answers one setting from the keyword when it was given, else from the
app's ``WebConfig``, else the default.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from ._config.health import HealthConfig, resolve_health
from ._config.observability import ObservabilityConfig
from ._config.settings import AppSettings, resolve_settings
from ._config.versioning import VersioningConfig
from ._http.templates import Templates, TemplatesConfig, build_templates
from ._observe.setup import resolve_observability
from ._openapi.routes import OpenAPIOption, OpenAPISite, resolve_openapi_config
from ._routing.debug import debug_route_functions
from ._routing.registry import RouteRegistry

__all__ = ["UNSET", "AppOptions", "Unset"]


class Unset(enum.Enum):
    """The marker of a keyword that was not given (where ``None`` means something)."""

    UNSET = 0


UNSET: Literal[Unset.UNSET] = Unset.UNSET


class AppOptions:
    """What ``LexigramApp(...)`` was given besides its declarations."""

    __slots__ = (
        "debug_routes",
        "debug_routes_auth",
        "health",
        "observability",
        "openapi",
        "overrides",
        "templates",
        "versioning",
    )

    def __init__(
        self,
        *,
        debug: bool | None,
        validation_status: int | None,
        trusted_proxies: Iterable[str] | None,
        fail_on_route_conflict: bool | None,
        max_body_size: int | Literal[Unset.UNSET] | None,
        openapi: OpenAPIOption,
        versioning: VersioningConfig | None,
        templates: str | TemplatesConfig | Templates | Any,
        health: bool | HealthConfig | Mapping[str, Any] | None,
        debug_routes: bool | None,
        debug_routes_auth: Any,
        strict_body: bool | None,
        observability: Any = None,
    ) -> None:
        self.overrides: dict[str, Any] = {
            "debug": debug,
            "validation_status": validation_status,
            "trusted_proxies": tuple(trusted_proxies) if trusted_proxies is not None else None,
            "fail_on_route_conflict": fail_on_route_conflict,
            "strict_body": strict_body,
        }
        if max_body_size is not UNSET:
            self.overrides["max_body_size"] = max_body_size
        self.openapi = openapi
        self.versioning = versioning
        self.templates = templates
        self.health = health
        self.debug_routes = debug_routes
        self.debug_routes_auth = debug_routes_auth
        self.observability = observability

    @property
    def given(self) -> dict[str, Any]:
        """The keyword settings that were given (``max_body_size=None`` is given: no limit)."""
        return {k: v for k, v in self.overrides.items() if v is not None or k == "max_body_size"}

    def settings_for(self, config: Any) -> AppSettings:
        return resolve_settings(config, self.overrides)

    def versioning_for(self, config: Any) -> VersioningConfig:
        return self.versioning or getattr(config, "versioning", None) or VersioningConfig()

    def templates_for(self, config: Any) -> Templates | None:
        return build_templates(self.templates, config)

    def health_for(self, config: Any) -> HealthConfig:
        return resolve_health(self.health, config)

    def observability_for(self, config: Any) -> ObservabilityConfig:
        return resolve_observability(self.observability, config)

    def openapi_for(self, config: Any) -> OpenAPISite:
        return OpenAPISite.create(resolve_openapi_config(config, self.openapi))

    def debug_functions_for(
        self, config: Any, provider_auth: Any, registry: Callable[[], RouteRegistry]
    ) -> list[Callable[..., Any]]:
        """The debug routes' handlers (none unless enabled); ``provider_auth`` is the first
        ``WebProvider``'s ``debug_routes_auth``."""
        enabled = self.debug_routes
        if enabled is None:
            enabled = bool(getattr(config, "debug_routes", False))
        auth = self.debug_routes_auth or getattr(config, "debug_routes_auth", None)
        return debug_route_functions(enabled, auth or provider_auth, registry)
