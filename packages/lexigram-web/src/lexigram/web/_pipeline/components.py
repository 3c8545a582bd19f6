"""Guards, interceptors and filters given as classes or instances, resolved at startup."""

from __future__ import annotations

import inspect
from typing import Any, NamedTuple

from lexigram.di import Container

from .._declare.di import ServiceGetter, autoregister, is_coroutine_callable, service_getter
from .._declare.errors import ConfigurationError
from .._http.context import ExecutionContext

__all__ = ["Component", "get_instance", "resolve_component"]


class Component(NamedTuple):
    """An instance fixed at startup, or a getter to call per request (scoped dependencies)."""

    instance: Any
    getter: ServiceGetter | None
    is_async: bool
    """Whether the component's entry method (``can_activate``/``intercept``) is a coroutine."""


async def resolve_component(container: Container, item: Any, method: str, label: str) -> Component:
    """Resolve ``item`` (a class built by the container, or an instance) for ``method``.

    An instance's ``setup(container)`` hook runs once per app at startup; when it returns an
    object, that object serves this app (so one declared instance, shared by two apps, never
    carries one app's services into the other).
    """
    if isinstance(item, type):
        if not callable(getattr(item, method, None)):
            raise ConfigurationError(f"{label}: {item.__qualname__} has no {method}() method")
        if not autoregister(container, item):
            container.register(item)
        try:
            getter = service_getter(container, item)
        except Exception as exc:
            raise ConfigurationError(f"{label}: cannot build {item.__qualname__}: {exc}") from exc
        asynchronous = is_coroutine_callable(getattr(item, method))
        if getter.needs_scope:
            return Component(None, getter, asynchronous)
        instance = getter.get(None)
        if getter.is_async:
            instance = await instance
    else:
        instance = item
        if not callable(getattr(instance, method, None)):
            raise ConfigurationError(f"{label}: {instance!r} has no {method}() method")
    setup = getattr(instance, "setup", None)
    if callable(setup):
        try:
            outcome = setup(container)
            if inspect.isawaitable(outcome):
                outcome = await outcome
        except ConfigurationError as exc:
            raise ConfigurationError(f"{label}: {exc}") from exc
        if outcome is not None:  # a copy bound to this app (the declared one stays unbound)
            if not callable(getattr(outcome, method, None)):
                raise ConfigurationError(
                    f"{label}: {instance!r}.setup() returned {outcome!r}, which has no"
                    f" {method}() method; return None or a {type(instance).__qualname__}"
                )
            instance = outcome
    return Component(instance, None, is_coroutine_callable(getattr(instance, method)))


async def get_instance(component: Component, ctx: ExecutionContext) -> Any:
    """The component for this request (per-request components resolve in its DI scope)."""
    if component.instance is not None:
        return component.instance
    getter = component.getter
    assert getter is not None
    value = getter.get(ctx.di_scope)
    if getter.is_async:
        value = await value
    return value
