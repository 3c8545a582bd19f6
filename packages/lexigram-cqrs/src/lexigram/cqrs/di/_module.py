"""``CQRSModule`` / ``CQRSProvider``: handlers, registry and buses wired into a container."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict, Unpack

from lexigram.di import Container, DynamicModule, Provider

from .._buses import CommandBus, QueryBus
from .._event_bus import EventBus, PublishStrategy
from .._pipeline import OnlyFor
from .._registry import HandlerRegistry
from ._activator import ContainerActivator


class CQRSOptions(TypedDict, total=False):
    """The keyword options of ``CQRSProvider``, ``CQRSModule`` and ``CQRSModule.configure``.

    Each is optional: ``handlers`` (handler classes or instances), ``behaviours`` (wrap every
    bus, outermost), ``command_behaviours`` / ``query_behaviours`` / ``event_behaviours``
    (per bus, after ``behaviours``), all empty by default; ``strategy``
    (``PublishStrategy.SEQUENTIAL``) for events; ``registry`` (a new ``HandlerRegistry``
    unless given).
    """

    handlers: Iterable[object]
    behaviours: Sequence[object]
    command_behaviours: Sequence[object]
    query_behaviours: Sequence[object]
    event_behaviours: Sequence[object]
    strategy: PublishStrategy
    registry: HandlerRegistry | None


class CQRSProvider(Provider):
    """Registers the handlers and binds the buses; the buses are built when it boots.

    The options are those of [CQRSOptions][lexigram.cqrs.di.CQRSOptions]. In the container:
    ``HandlerRegistry`` (this instance), ``ContainerActivator``, ``CommandBus``,
    ``QueryBus`` and ``EventBus`` (singletons). Handler and behaviour classes not yet
    registered are registered with their marker's lifetime (``@scoped``, ``@singleton``
    ...), transient when unmarked. ``behaviours`` wrap every bus (outermost);
    ``command_behaviours`` and the like come next, per bus. Duplicate handlers raise when
    the provider is created; a handler dependency missing from the container raises when
    the application starts.
    """

    name = "cqrs"

    def __init__(self, **options: Unpack[CQRSOptions]) -> None:
        unknown = sorted(set(options) - CQRSOptions.__optional_keys__)
        if unknown:
            raise TypeError(
                f"CQRS got unknown option(s) {', '.join(unknown)}; the options are "
                f"{', '.join(sorted(CQRSOptions.__optional_keys__))} (and imports for the module)"
            )
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

        def event_bus(activator: ContainerActivator) -> EventBus:
            return EventBus(
                provider.registry,
                behaviours=provider.event_behaviours,
                activator=activator,
                strategy=provider.strategy,
            )

        container.singleton(ContainerActivator, factory=activator)
        container.singleton(CommandBus, factory=command_bus)
        container.singleton(QueryBus, factory=query_bus)
        container.singleton(EventBus, factory=event_bus)

    async def boot(self, container: Container) -> None:
        # Building the buses analyses every handler now: bad wiring fails at startup.
        container.resolve(CommandBus)
        container.resolve(QueryBus)
        container.resolve(EventBus)


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
