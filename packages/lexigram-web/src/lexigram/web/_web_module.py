"""``WebProvider`` and ``WebModule``: the web layer as a lexigram-di provider and module.

They are declarations: controllers, middleware, exception handlers and a ``WebConfig``. A
``LexigramApp`` built with ``modules=[WebModule.configure(...)]`` (or
``providers=[WebProvider(...)]``) gathers them when it starts and serves them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lexigram.di import Application, Container, DynamicModule, HealthCheckResult, Provider
from lexigram.http_errors import HandlerKey

from ._app_config import as_web_config
from ._config.web_config import WebConfig
from ._controllers.discovery import discover_controllers
from ._routing.controllers import ControllerRegistry

if TYPE_CHECKING:
    from ._app import LexigramApp

__all__ = ["WebModule", "WebProvider", "web_providers"]


class WebProvider(Provider):
    """Declares the web layer of a DI application (see the module docstring).

    ``web_config`` (a ``WebConfig``) is registered in the container under its type; the app
    runs with it unless it has its own ``config=`` (two different configs are refused at
    startup). Every web setting lives in ``WebConfig``: ``provider_config`` is refused.
    """

    name = "WebProvider"

    def __init__(
        self,
        middleware: Sequence[Any] | None = None,
        exception_handlers: Mapping[HandlerKey, Any] | None = None,
        controllers: Sequence[type] | None = None,
        web_config: WebConfig | Mapping[str, Any] | None = None,
        provider_config: None = None,
        debug_routes_auth: Any = None,
    ) -> None:
        if provider_config is not None:
            raise TypeError(
                "WebProvider(provider_config=...) has no effect: every web setting is a"
                " WebConfig setting; pass web_config=WebConfig(...) (or load_web_config())"
            )
        self.middleware: list[Any] = list(middleware or ())
        self.exception_handlers: dict[HandlerKey, Any] = dict(exception_handlers or {})
        self.controller_registry = ControllerRegistry()
        """This provider's controllers, given or discovered.

        Register more before the app starts."""
        for cls in controllers or ():
            self.controller_registry.record(cls)
        self.web_config: WebConfig | None = as_web_config(web_config, "web_config=")
        self.debug_routes_auth = debug_routes_auth
        self.app: LexigramApp | None = None
        """The app serving this provider (set when that app starts)."""

    @property
    def controllers(self) -> list[type]:
        """The controller classes this provider declares (its ``controller_registry``)."""
        return self.controller_registry.get_all_controllers()

    @property
    def starlette(self) -> LexigramApp | None:
        """The ASGI application serving this provider (a ``LexigramApp``).

        It is ``None`` until an app has started with it. Lexigram builds no Starlette
        application: the name is that of ``WebAppAccessorProtocol``."""
        return self.app

    @property
    def provider_config(self) -> None:
        """Always ``None``: every web setting is a ``WebConfig`` setting (a ``provider_config``
        given to the constructor is refused)."""
        return None

    @property
    def fail_on_route_conflict(self) -> bool:
        """The ``fail_on_route_conflict`` of the config the app runs with when it uses this
        provider's ``web_config`` (the default, ``True``, without one)."""
        config = self.web_config if self.web_config is not None else WebConfig()
        return config.fail_on_route_conflict

    @classmethod
    def from_config(cls, config: Any, **context: Any) -> WebProvider:
        """A provider for ``config``.

        ``context`` may give ``middleware``, ``controllers`` and ``exception_handlers``."""
        return cls(web_config=config, **context)

    @classmethod
    def auto_discover(cls, *packages: str, web_config: Any = None, **kwargs: Any) -> WebProvider:
        """A provider with the controllers found in ``packages`` (see ``discover_controllers``)."""
        controllers = [*kwargs.pop("controllers", ()), *discover_controllers(packages)]
        return cls(controllers=controllers, web_config=web_config, **kwargs)

    def register(self, container: Container) -> None:
        if self.web_config is not None and not container.has(type(self.web_config)):
            container.singleton(type(self.web_config), instance=self.web_config)

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        if self.app is not None and not self.app.started:
            return HealthCheckResult.unhealthy("the web app is not started")
        return HealthCheckResult.healthy()


class WebModule(DynamicModule):
    """The web layer as a module: ``WebModule.configure(controllers=[...], discover=[...])``."""

    @property
    def controller_registry(self) -> ControllerRegistry:
        """The registry of the module's ``WebProvider``.

        It holds the provider's controllers, discovered ones included."""
        for provider in self.meta.providers:
            if isinstance(provider, WebProvider):
                return provider.controller_registry
        raise LookupError(
            "this WebModule has no WebProvider: build it with WebModule.configure(...)"
        )

    @classmethod
    def configure(
        cls,
        controllers: Sequence[type] | None = None,
        discover: Sequence[str] | None = None,
        host: str | None = None,
        port: int | None = None,
        **kwargs: Any,
    ) -> WebModule:
        """A module serving ``controllers`` plus those found in the ``discover`` packages.

        ``host``/``port`` build a ``WebConfig`` (or update the one given as ``web_config``);
        other keyword arguments go to ``WebProvider``.
        """
        found = [*(controllers or ()), *discover_controllers(discover or ())]
        config = as_web_config(kwargs.pop("web_config", None), "web_config=")
        if host is not None or port is not None:
            updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
            if config is None:
                config = WebConfig.model_validate(updates)
            else:
                config = config.model_copy(update=updates)
        provider = WebProvider(controllers=found, web_config=config, **kwargs)
        return cls(providers=[provider])

    @classmethod
    def stub(cls, config: Any = None, **options: Any) -> WebModule:
        """A module with no controllers and the given (or default) config, for tests.

        ``options`` go to ``WebProvider``."""
        return cls(providers=[WebProvider(web_config=config, **options)])


def web_providers(application: Application) -> list[WebProvider]:
    """The ``WebProvider`` instances of a started DI application."""
    return [p for p in application.providers if isinstance(p, WebProvider)]
