"""``BroadcastProvider``: the app's broadcaster in its DI application (registered under the
``Broadcaster`` protocol, started, stopped, and reported by the health probes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lexigram.di import Container, HealthCheckResult, Provider

from .._config.broadcast import BroadcastConfig
from .._declare.errors import ConfigurationError
from .memory import MemoryBroadcaster
from .protocol import Broadcaster
from .status import BroadcastStatus

__all__ = ["BroadcastProvider", "build_broadcaster"]

INSTALL_REDIS = 'broadcast.backend "redis" needs redis-py: pip install "lexigram-web[redis]"'


def build_broadcaster(config: BroadcastConfig) -> Any:
    """The broadcaster a ``broadcast`` section describes (``ImportError`` naming the install
    command when the Redis backend is chosen without redis-py)."""
    if config.backend == "memory":
        return MemoryBroadcaster(queue_size=config.queue_size, on_overflow=config.on_overflow)
    try:
        from .redis import RedisBroadcaster
    except ImportError as exc:
        raise ImportError(INSTALL_REDIS) from exc
    return RedisBroadcaster.from_config(config)


class BroadcastProvider(Provider):
    """Gives the app one ``Broadcaster``: the one passed as ``broadcaster=``, else one already
    registered in the container under ``Broadcaster`` (its owner starts and stops it), else
    one built from ``config().broadcast`` (memory by default). The app starts and closes the
    ones it was given or built. Health: healthy while messages reach the other processes,
    degraded (never unhealthy: requests still work) while they do not."""

    name = "broadcast"
    health_required = False

    def __init__(self, given: Any, config: Callable[[], Any], *, replace: bool = False) -> None:
        if given is not None and not isinstance(given, Broadcaster):
            raise TypeError(
                f"broadcaster= takes a Broadcaster (publish() and subscribe()), got {given!r}"
            )
        self._given = given
        self._config = config
        self._replace = replace
        """The container's ``Broadcaster`` is the one this app registered when it last ran."""
        self._owned = False
        self.broadcaster: Any = None

    @property
    def owned(self) -> bool:
        """Whether this provider registered the container's ``Broadcaster``."""
        return self._owned

    def register(self, container: Container) -> None:
        if container.has(Broadcaster) and not self._replace:
            if self._given is not None:
                raise ConfigurationError(
                    "a Broadcaster is registered in the container and another one was passed"
                    " as broadcaster=: keep one of them"
                )
            return
        broadcaster = self._given
        if broadcaster is None:
            section = getattr(self._config(), "broadcast", None)
            if section is None:
                section = BroadcastConfig()
            elif not isinstance(section, BroadcastConfig):
                section = BroadcastConfig.model_validate(section)
            broadcaster = build_broadcaster(section)
        self.broadcaster = broadcaster
        self._owned = True
        container.singleton(Broadcaster, instance=broadcaster)

    async def boot(self, container: Container) -> None:
        if self.broadcaster is None:
            self.broadcaster = await container.aresolve(Broadcaster)
        start = getattr(self.broadcaster, "start", None)
        if self._owned and start is not None:
            await start()

    async def shutdown(self) -> None:
        aclose = getattr(self.broadcaster, "aclose", None)
        if self._owned and aclose is not None:
            await aclose()

    @property
    def health_listed(self) -> bool:
        """Whether the health probes list this check: not for the in-process broadcaster."""
        return not isinstance(self.broadcaster, MemoryBroadcaster)

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        status = getattr(self.broadcaster, "status", None)
        if status is None:
            return HealthCheckResult.healthy("the broadcaster reports no status")
        found: BroadcastStatus = status()
        details: dict[str, Any] = {"backend": found.backend, **found.counters}
        if found.connected:
            return HealthCheckResult.healthy(found.detail, **details)
        return HealthCheckResult.degraded(found.detail, **details)
