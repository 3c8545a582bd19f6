"""Finding sibling implementations of web's seam protocols in the container, at startup.

A sibling package registers its service under its own class (lexigram-ratelimit's
``RateLimiter``, lexigram-cqrs's ``CommandBus``/``QueryBus``) since it never imports web. When
the protocol itself is not registered, web looks for the one registered service that satisfies
it structurally; two candidates are ambiguous and must be bound explicitly.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from lexigram.di import Container, Override

from .._declare.protocols import CommandBusProtocol, QueryBusProtocol

__all__ = ["bridge_buses", "find_implementation"]


async def find_implementation(
    container: Container, protocol: Any, method: str, satisfies: Callable[[object], bool]
) -> Any:
    """``protocol``'s registration if any, else the single registered (non-scoped) service
    whose class has ``method`` and whose instance ``satisfies`` the protocol; ``None`` when
    there is none; ``ValueError`` naming the fix when there are several. Only services whose
    class has ``method`` are resolved."""
    if container.has(protocol):
        return await container.aresolve(protocol)
    found: dict[type, object] = {}
    for registration in container.registrations():
        key = registration.key
        if key in found or not isinstance(key, type) or key is Container:
            continue
        if not callable(getattr(key, method, None)):
            continue
        try:
            instance: object = await container.aresolve(typing.cast(Any, key))
        except Exception:  # e.g. a scoped service: not a process-wide implementation
            continue
        if satisfies(instance):
            found[key] = instance
    if len(found) > 1:
        names = ", ".join(sorted(k.__qualname__ for k in found))
        label = getattr(protocol, "__name__", repr(protocol))
        raise ValueError(
            f"several registered services satisfy {label} ({names}); register the one to use"
            f" with container.singleton({label}, instance=...)"
        )
    return next(iter(found.values()), None)


def _has_coroutine(name: str) -> Callable[[object], bool]:
    def satisfies(candidate: object) -> bool:
        return inspect.iscoroutinefunction(getattr(candidate, name, None))

    return satisfies


async def bridge_buses(container: Container) -> list[Override]:
    """Bind ``CommandBusProtocol``/``QueryBusProtocol`` to the registered buses that satisfy
    them, for as long as the returned overrides stay entered (the app's lifetime)."""
    entered: list[Override] = []
    for protocol, method in ((CommandBusProtocol, "dispatch"), (QueryBusProtocol, "execute")):
        if container.has(protocol):
            continue
        bus = await find_implementation(container, protocol, method, _has_coroutine(method))
        if bus is not None:
            override = container.override(protocol, bus)
            override.__enter__()
            entered.append(override)
    return entered
