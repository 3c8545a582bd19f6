"""``CQRSModule`` / ``CQRSProvider``: handlers, registry and buses wired into a container."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lexigram.di import Container, DynamicModule, HealthCheckResult, Provider

from .._buses import CommandBus, QueryBus
from .._catalog import EventCatalog
from .._event_bus import EventBus, PublishStrategy
from .._outbox import OutboxRelay, OutboxStore
from .._pipeline import OnlyFor
from .._registry import HandlerRegistry
from .._transport import EventTransport
from ._activator import ContainerActivator
from ._integration import IntegrationRunner, IntegrationSettings


class CQRSProvider(Provider):
    """Registers the handlers and binds the buses; the buses are built when it boots.

    In the container: ``HandlerRegistry`` (this instance), ``ContainerActivator``,
    ``CommandBus``, ``QueryBus`` and ``EventBus`` (singletons). Handler and behaviour
    classes not yet registered are registered with their marker's lifetime
    (``@scoped``, ``@singleton`` ...), transient when unmarked. ``behaviours`` wrap
    every bus (outermost); ``command_behaviours`` and the like come next, per bus.
    Duplicate handlers raise when the provider is created; a handler dependency
    missing from the container raises when the application starts.

    Integration events (see ``lexigram.cqrs.EventTransport``):

    - ``transport``: the ``EventBus`` sends integration events to it (bound in the
      container as ``EventTransport``; closed at shutdown if it has ``aclose()``);
    - ``catalog``: the ``EventCatalog`` of the bus (default: built from the handlers);
    - ``consumer_group``: consume the transport in this group while the application
      runs, delivering to the ``EventBus``'s handlers (``consumer_name`` names this
      process in the group; default: host, pid and a random part);
    - ``outbox``: an ``OutboxStore`` relayed to the transport while the application runs
      (the ``OutboxRelay`` is bound in the container: ``relay.wake()`` after a commit);
    - ``stop_timeout``: seconds the consumer and the relay get to finish at shutdown.

    The provider's health check reports ``degraded`` while the transport does not answer.
    """

    name = "cqrs"

    def __init__(
        self,
        *,
        handlers: Iterable[object] = (),
        behaviours: Sequence[object] = (),
        command_behaviours: Sequence[object] = (),
        query_behaviours: Sequence[object] = (),
        event_behaviours: Sequence[object] = (),
        strategy: PublishStrategy = PublishStrategy.SEQUENTIAL,
        registry: HandlerRegistry | None = None,
        transport: EventTransport | None = None,
        catalog: EventCatalog | None = None,
        consumer_group: str | None = None,
        consumer_name: str | None = None,
        outbox: OutboxStore | None = None,
        relay_interval: float = 1.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.integration = IntegrationRunner(
            IntegrationSettings(
                transport, consumer_group, consumer_name, outbox, relay_interval, stop_timeout
            )
        )
        self.catalog = catalog
        self.registry = registry if registry is not None else HandlerRegistry()
        for handler in handlers:
            self.registry.add(handler)
        self.command_behaviours = (*behaviours, *command_behaviours)
        self.query_behaviours = (*behaviours, *query_behaviours)
        self.event_behaviours = (*behaviours, *event_behaviours)
        self.strategy = PublishStrategy(strategy)

    def _classes(self) -> list[type[Any]]:
        found: list[type[Any]] = []
        entries = [
            *self.registry.handlers,
            *self.command_behaviours,
            *self.query_behaviours,
            *self.event_behaviours,
        ]
        for entry in entries:
            item = entry.behaviour if isinstance(entry, OnlyFor) else entry
            if isinstance(item, type) and item not in found:
                found.append(item)
        return found

    def register(self, container: Container) -> None:
        for cls in self._classes():
            if not container.has(cls):
                container.register(cls)
        provider = self
        container.singleton(HandlerRegistry, instance=self.registry)

        def activator(container: Container) -> ContainerActivator:
            return ContainerActivator(container)

        def command_bus(activator: ContainerActivator) -> CommandBus:
            return CommandBus(
                provider.registry, behaviours=provider.command_behaviours, activator=activator
            )

        def query_bus(activator: ContainerActivator) -> QueryBus:
            return QueryBus(
                provider.registry, behaviours=provider.query_behaviours, activator=activator
            )

        transport = self.integration.settings.transport

        def event_bus(activator: ContainerActivator) -> EventBus:
            return EventBus(
                provider.registry,
                behaviours=provider.event_behaviours,
                activator=activator,
                strategy=provider.strategy,
                transport=transport,
                catalog=provider.catalog,
            )

        container.singleton(ContainerActivator, factory=activator)
        container.singleton(CommandBus, factory=command_bus)
        container.singleton(QueryBus, factory=query_bus)
        container.singleton(EventBus, factory=event_bus)
        if transport is not None:
            container.singleton(EventTransport, instance=transport)
        if self.integration.relay is not None:
            container.singleton(OutboxRelay, instance=self.integration.relay)

    async def boot(self, container: Container) -> None:
        # Building the buses analyses every handler now: bad wiring fails at startup.
        container.resolve(CommandBus)
        container.resolve(QueryBus)
        self.integration.start(container.resolve(EventBus))

    async def shutdown(self) -> None:
        await self.integration.stop()

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        return await self.integration.health(timeout)


class CQRSModule(DynamicModule):
    """``CQRSModule.configure(handlers=[...], behaviours=[...])``: see :class:`CQRSProvider`.

    Resolve the buses by their classes: ``container.resolve(CommandBus)``,
    ``QueryBus``, ``EventBus`` (and ``HandlerRegistry``).
    """

    def __init__(
        self,
        *,
        handlers: Iterable[object] = (),
        behaviours: Sequence[object] = (),
        command_behaviours: Sequence[object] = (),
        query_behaviours: Sequence[object] = (),
        event_behaviours: Sequence[object] = (),
        strategy: PublishStrategy = PublishStrategy.SEQUENTIAL,
        registry: HandlerRegistry | None = None,
        transport: EventTransport | None = None,
        catalog: EventCatalog | None = None,
        consumer_group: str | None = None,
        consumer_name: str | None = None,
        outbox: OutboxStore | None = None,
        relay_interval: float = 1.0,
        stop_timeout: float = 10.0,
        imports: Sequence[Any] = (),
    ) -> None:
        self.provider = CQRSProvider(
            handlers=handlers,
            behaviours=behaviours,
            command_behaviours=command_behaviours,
            query_behaviours=query_behaviours,
            event_behaviours=event_behaviours,
            strategy=strategy,
            registry=registry,
            transport=transport,
            catalog=catalog,
            consumer_group=consumer_group,
            consumer_name=consumer_name,
            outbox=outbox,
            relay_interval=relay_interval,
            stop_timeout=stop_timeout,
        )
        super().__init__(providers=[self.provider], imports=imports)

    @classmethod
    def configure(cls, **options: Any) -> CQRSModule:
        """Accepts the keyword arguments of :class:`CQRSModule` (handlers=, behaviours=, ...)."""
        return cls(**options)
