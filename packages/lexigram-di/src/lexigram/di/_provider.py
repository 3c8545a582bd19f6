"""The provider base class: register services, boot, shut down, report health."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, ClassVar

from ._health import HealthCheckResult

if TYPE_CHECKING:
    from ._container import Container


class Provider:
    """A unit of application wiring.

    The application calls, in order: ``register`` on every provider (register services,
    no resolving), then validates the container, then ``boot`` on each provider,
    dependencies first (resolve and start things), and on stop ``shutdown`` in reverse
    boot order. ``register`` may be sync or ``async def``.
    """

    name: ClassVar[str | None] = None
    """How the provider is named in errors and health reports (default: the class name)."""
    health_timeout: ClassVar[float | None] = None
    """Seconds this provider's health check may take (default: the application's)."""

    @property
    def provider_name(self) -> str:
        return self.name or type(self).__name__

    def register(self, container: Container) -> Awaitable[None] | None:
        """Register services in ``container``. Override; may be ``async def``."""
        return None

    async def boot(self, container: Container) -> None:
        """Start what the provider owns, resolving from ``container``. Override."""

    async def shutdown(self) -> None:
        """Release what ``boot`` started. Override."""

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        """Report health within ``timeout`` seconds. Override; healthy by default."""
        return HealthCheckResult.healthy()

    def __repr__(self) -> str:
        return f"<{self.provider_name}>"
