"""``EventBus``: every subscriber runs; failures are reported together.

With a transport, integration events (``@integration_event``) are sent to it instead of
running here; the consumers of the transport hand them back through ``EventBus.receive``,
which runs the local handlers.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from typing import Any

from ._catalog import EventCatalog
from ._errors import PublishError, TransportError, type_name
from ._handlers import HandlerSpec
from ._integration import Delivery, Envelope, integration_name
from ._messages import Event
from ._pipeline import DirectActivator, HandlerActivator, Next, select_behaviours
from ._registry import HandlerRegistry
from ._transport import EventTransport

_Plan = tuple[tuple[str, Next], ...]


class PublishStrategy(enum.Enum):
    """How an event reaches its handlers."""

    SEQUENTIAL = "sequential"  # one after the other, in subscription order
    CONCURRENT = "concurrent"  # all at once (asyncio.gather)


class EventBus:
    """Publishes an event to every handler of its type and of its base classes.

    A failing handler never stops the others: after all ran, the failures are
    raised together as one ``PublishError`` (an ``ExceptionGroup``).
    Behaviours wrap each handler separately. An event with no handler is a no-op.

    ``transport``: integration events are sent to it (``publish`` then raises
    ``TransportError`` if it cannot take them) and come back through ``receive``.
    ``catalog``: the integration event types by name (default: the marked types of the
    registry's handlers; a marked type is added the first time it is published).
    """

    __slots__ = (
        "_activator",
        "_behaviours",
        "_catalog",
        "_concurrent",
        "_plans",
        "_sends",
        "_subscribers",
        "_transport",
    )

    def __init__(
        self,
        registry: HandlerRegistry,
        *,
        behaviours: Sequence[object] = (),
        activator: HandlerActivator | None = None,
        strategy: PublishStrategy = PublishStrategy.SEQUENTIAL,
        transport: EventTransport | None = None,
        catalog: EventCatalog | None = None,
    ) -> None:
        registry.freeze()
        self._subscribers = dict(registry.events)
        self._behaviours = tuple(behaviours)
        self._activator: HandlerActivator = activator or DirectActivator()
        self._concurrent = PublishStrategy(strategy) is PublishStrategy.CONCURRENT
        self._plans: dict[type[Any], _Plan] = {}
        self._transport = transport
        self._sends: dict[type[Any], Next | None] = {}
        self._catalog = catalog if catalog is not None else EventCatalog()
        for event_type in self._subscribers:
            self._plan(event_type)
            if integration_name(event_type) is not None:
                self._catalog.add(event_type)

    @property
    def catalog(self) -> EventCatalog:
        """The integration event types this bus sends and receives."""
        return self._catalog

    @property
    def transport(self) -> EventTransport | None:
        return self._transport

    def _send_plan(self, event_type: type[Any], transport: EventTransport) -> Next | None:
        """How ``event_type`` leaves the process (``None``: it is a local event); once per type."""
        if integration_name(event_type) is None:
            self._sends[event_type] = None
            return None
        catalog = self._catalog
        catalog.add(event_type)
        publish = transport.publish
        name = type_name(event_type)

        async def send(event: Any) -> None:
            envelope = catalog.encode(event)
            try:
                await publish((envelope,))
            except TransportError:
                raise
            except Exception as exc:
                raise TransportError(
                    f"the transport could not take {name} ({type(exc).__name__}: {exc}); the "
                    "event was not sent: retry, or write it to an outbox in the transaction "
                    "of the change (OutboxRelay sends it when the transport is back)"
                ) from exc

        self._sends[event_type] = send
        return send

    def _plan(self, event_type: type[Any]) -> _Plan:
        """Link the handlers of ``event_type`` once (a new subclass is linked on first use)."""
        specs: list[HandlerSpec] = []
        for klass in event_type.__mro__:
            specs.extend(self._subscribers.get(klass, ()))
        behaviours = select_behaviours(self._behaviours, event_type)
        plan = tuple((spec.name, self._activator.activate(spec, behaviours)) for spec in specs)
        self._plans[event_type] = plan
        return plan

    async def publish(self, event: Event) -> None:
        """Run every handler of ``type(event)``; raise ``PublishError`` if any failed.

        With a transport, an integration event is sent to it instead (and its handlers run
        where it is consumed); ``TransportError`` if it cannot be sent.
        """
        transport = self._transport
        if transport is not None:
            send: Next | None = self._sends.get(type(event), _UNKNOWN)
            if send is _UNKNOWN:
                send = self._send_plan(type(event), transport)
            if send is not None:
                await send(event)
                return
        await self.deliver(event)

    async def receive(self, envelope: Envelope, delivery: Delivery) -> None:
        """Decode an envelope from a transport and run its local handlers.

        It is a consumer's handler: ``transport.consume(bus.receive, group=...)``.

        ``EventDecodeError`` for an unknown name or a bad payload; ``PublishError``
        when a handler failed (the transport delivers the message again).
        """
        await self.deliver(self._catalog.decode(envelope, delivery))

    async def deliver(self, event: Event) -> None:
        """Run the local handlers of ``event``, never sending it to the transport."""
        plan = self._plans.get(type(event))
        if plan is None:
            plan = self._plan(type(event))
        if not plan:
            return
        failures: list[tuple[str, Exception]] = []
        if self._concurrent and len(plan) > 1:
            outcomes = await asyncio.gather(
                *[_run(invoke, event) for _, invoke in plan], return_exceptions=True
            )
            for (name, _), outcome in zip(plan, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    failures.append((name, outcome))
                elif isinstance(outcome, BaseException):
                    raise outcome
        else:
            for name, invoke in plan:
                try:
                    await invoke(event)
                except Exception as exc:
                    failures.append((name, exc))
        if failures:
            raise _publish_error(type(event), failures, len(plan))

    def handler_names(self, event_type: type[Any]) -> tuple[str, ...]:
        """The handlers an event of ``event_type`` reaches, in the order they run."""
        plan = self._plans.get(event_type)
        return tuple(name for name, _ in (plan if plan is not None else self._plan(event_type)))


_UNKNOWN: Any = object()


async def _run(invoke: Next, event: Event) -> Any:
    """One subscriber as a coroutine: whatever it raises, even before its first await, is
    that subscriber's outcome and never stops the others."""
    return await invoke(event)


def _publish_error(
    event_type: type[Any], failures: list[tuple[str, Exception]], total: int
) -> PublishError:
    names = [name for name, _ in failures]
    for name, exc in failures:
        exc.add_note(f"raised by event handler {name} for {event_type.__qualname__}")
    detail = ", ".join(f"{name} ({type(exc).__name__})" for name, exc in failures)
    return PublishError(
        f"{len(failures)} of {total} handlers of {type_name(event_type)} failed: {detail}",
        [exc for _, exc in failures],
        event_type=event_type,
        handlers=names,
    )
