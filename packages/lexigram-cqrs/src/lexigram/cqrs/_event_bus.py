"""``EventBus``: every subscriber runs; failures are reported together."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from typing import Any

from ._errors import PublishError, type_name
from ._handlers import HandlerSpec
from ._messages import Event
from ._pipeline import DirectActivator, HandlerActivator, Next, select_behaviours
from ._registry import HandlerRegistry

_Plan = tuple[tuple[str, Next], ...]


class PublishStrategy(enum.Enum):
    """How an event reaches its handlers."""

    SEQUENTIAL = "sequential"  # one after the other, in subscription order
    CONCURRENT = "concurrent"  # all at once (asyncio.gather)


class EventBus:
    """Publishes an event to every handler of its type and of its base classes.

    A failing handler never stops the others: after all ran, the failures are
    raised together as one :class:`PublishError` (an ``ExceptionGroup``).
    Behaviours wrap each handler separately. An event with no handler is a no-op.
    """

    __slots__ = ("_activator", "_behaviours", "_concurrent", "_plans", "_subscribers")

    def __init__(
        self,
        registry: HandlerRegistry,
        *,
        behaviours: Sequence[object] = (),
        activator: HandlerActivator | None = None,
        strategy: PublishStrategy = PublishStrategy.SEQUENTIAL,
    ) -> None:
        registry.freeze()
        self._subscribers = dict(registry.events)
        self._behaviours = tuple(behaviours)
        self._activator: HandlerActivator = activator or DirectActivator()
        self._concurrent = PublishStrategy(strategy) is PublishStrategy.CONCURRENT
        self._plans: dict[type[Any], _Plan] = {}
        for event_type in self._subscribers:
            self._plan(event_type)

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
        """Run every handler of ``type(event)``; raise :class:`PublishError` if any failed."""
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
