"""``CQRSModule`` / ``CQRSProvider``: handlers, registry and buses wired into a container."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict, Unpack

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


class CQRSOptions(TypedDict, total=False):
    """The keyword options of ``CQRSProvider``, ``CQRSModule`` and ``CQRSModule.configure``.

    Each is optional: ``handlers`` (handler classes or instances), ``behaviours`` (wrap every
    bus, outermost), ``command_behaviours`` / ``query_behaviours`` / ``event_behaviours``
    (per bus, after ``behaviours``), all empty by default; ``strategy``
    (``PublishStrategy.SEQUENTIAL``) for events; ``registry`` (a new ``HandlerRegistry``
    unless given).

    Integration events (see ``lexigram.cqrs.EventTransport``):

    - ``transport``: the ``EventBus`` sends integration events to it (bound in the
      container as ``EventTransport``; closed at shutdown if it has ``aclose()``);
    - ``catalog``: the ``EventCatalog`` of the bus (default: built from the handlers);
    - ``consumer_group``: consume the transport in this group while the application
      runs, delivering to the ``EventBus``'s handlers (``consumer_name`` names this
      process in the group; default: host, pid and a random part);
    - ``outbox``: an ``OutboxStore`` relayed to the transport while the application runs
      (every ``relay_interval`` seconds, default 1; the ``OutboxRelay`` is bound in the
      container: ``relay.wake()`` after a commit sends at once);
    - ``stop_timeout``: seconds the consumer and the relay get to finish at shutdown
      (default 10).
    """

    handlers: Iterable[object]
    behaviours: Sequence[object]
    command_behaviours: Sequence[object]
    query_behaviours: Sequence[object]
    event_behaviours: Sequence[object]
    strategy: PublishStrategy
    registry: HandlerRegistry | None
    transport: EventTransport | None
    catalog: EventCatalog | None
    consumer_group: str | None
    consumer_name: str | None
    outbox: OutboxStore | None
    relay_interval: float
    stop_timeout: float


class CQRSProvider(Provider):
    """Registers the handlers and binds the buses; the buses are built when it boots.

    The options are those of [CQRSOptions][lexigram.cqrs.di.CQRSOptions]. In the container:
    ``HandlerRegistry`` (this instance), ``ContainerActivator``, ``CommandBus``,
    ``QueryBus`` and ``EventBus`` (singletons). Handler and behaviour classes not yet
    registered are registered with their marker's lifetime (``@scoped``, ``@singleton``
    ...), transient when unmarked. ``behaviours`` wrap every bus (outermost);
    ``command_behaviours`` and the like come next, per bus. Duplicate handlers raise when
    the provider is created; a handler dependency missing from the container raises when
    the application starts. With a ``transport``, the consumer group and the outbox relay
    run while the application runs, and the provider's health check reports ``degraded``
    while the transport does not answer.
    """

    name = "cqrs"

    def __init__(self, **options: Unpack[CQRSOptions]) -> None:
        unknown = sorted(set(options) - CQRSOptions.__optional_keys__)
        if unknown:
            raise TypeError(
                f"CQRS got unknown option(s) {', '.join(unknown)}; the options are "
                f"{', '.join(sorted(CQRSOptions.__optional_keys__))} (and imports for the module)"
            )
        self.integration = IntegrationRunner(
            IntegrationSettings(
                options.get("transport"),
                options.get("consumer_group"),
                options.get("consumer_name"),
                options.get("outbox"),
                options.get("relay_interval", 1.0),
                options.get("stop_timeout", 10.0),
            )
        )
        self.catalog = options.get("catalog")
        registry = options.get("registry")
        self.registry = registry if registry is not None else HandlerRegistry()
        for handler in options.get("handlers", ()):
            self.registry.add(handler)
        behaviours = options.get("behaviours", ())
        self.command_behaviours = (*behaviours, *options.get("command_behaviours", ()))
        self.query_behaviours = (*behaviours, *options.get("query_behaviours", ()))
        self.event_behaviours = (*behaviours, *options.get("event_behaviours", ()))
        self.strategy = PublishStrategy(options.get("strategy", PublishStrategy.SEQUENTIAL))

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
    """``CQRSModule.configure(handlers=[...], behaviours=[...])``: see ``CQRSProvider``.

    Takes the options of [CQRSOptions][lexigram.cqrs.di.CQRSOptions] and ``imports``.
    Resolve the buses by their classes: ``container.resolve(CommandBus)``,
    ``QueryBus``, ``EventBus`` (and ``HandlerRegistry``).
    """

    def __init__(self, *, imports: Sequence[Any] = (), **options: Unpack[CQRSOptions]) -> None:
        self.provider = CQRSProvider(**options)
        super().__init__(providers=[self.provider], imports=imports)

    @classmethod
    def configure(
        cls, *, imports: Sequence[Any] = (), **options: Unpack[CQRSOptions]
    ) -> CQRSModule:
        """The module built from ``imports`` and the options of ``CQRSOptions``."""
        return cls(imports=imports, **options)
