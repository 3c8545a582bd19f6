"""Narrow read-only views of a ``WebProvider``, for code that needs only part of it.

``WebProvider`` satisfies each structurally. There is no view of a router or an OpenAPI
generator: routes are compiled when the app starts (read them from ``app.routes``) and the
document is ``app.openapi()``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = [
    "ConfigAccessorProtocol",
    "ControllerSourceProtocol",
    "WebAppAccessorProtocol",
    "WebProviderProtocol",
]


@runtime_checkable
class ConfigAccessorProtocol(Protocol):
    """The web configuration a provider carries."""

    @property
    def web_config(self) -> Any:
        """The ``WebConfig`` (or ``None`` when the app's own config applies)."""
        ...

    @property
    def provider_config(self) -> Any:
        """Provider-specific settings, passed through as given."""
        ...

    @property
    def debug_routes_auth(self) -> Any:
        """The guard or callable protecting the debug routes, or ``None``."""
        ...

    @property
    def fail_on_route_conflict(self) -> bool:
        """Whether two routes on the same method and path fail the startup."""
        ...


@runtime_checkable
class ControllerSourceProtocol(Protocol):
    """The controller classes a provider declares."""

    @property
    def controllers(self) -> list[type]:
        """The controller classes, in registration order."""
        ...


@runtime_checkable
class WebAppAccessorProtocol(Protocol):
    """The ASGI application serving a provider."""

    @property
    def starlette(self) -> Any:
        """The ASGI application (a ``LexigramApp``), or ``None`` before it starts."""
        ...


@runtime_checkable
class WebProviderProtocol(
    ConfigAccessorProtocol, ControllerSourceProtocol, WebAppAccessorProtocol, Protocol
):
    """Every read-only view of a ``WebProvider`` at once."""
