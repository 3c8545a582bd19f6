"""The few lexigram-di calls web makes at startup (and the per-request getters they return)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any, NamedTuple

from lexigram.di import Container, lifetime_of

__all__ = ["ServiceGetter", "autoregister", "register_marked_dependencies", "service_getter"]


class ServiceGetter(NamedTuple):
    """How to obtain one service per request: ``get(scope)`` (awaited when ``is_async``)."""

    needs_scope: bool
    is_async: bool
    get: Callable[[Any], Any]


def autoregister(container: Container, service: Any, _seen: set[Any] | None = None) -> bool:
    """Make ``service`` resolvable if it can be: already registered, or a class carrying a
    ``@singleton``/``@scoped``/``@injectable`` marker (registered with that lifetime, its own
    marked dependencies too). Answers whether ``container`` now has it."""
    if container.has(service):
        return True
    if not isinstance(service, type) or lifetime_of(service) is None:
        return False
    seen: set[Any] = _seen if _seen is not None else set()
    if service in seen:
        return True
    seen.add(service)
    container.register(service)
    register_marked_dependencies(container, service, seen)
    return True


def register_marked_dependencies(
    container: Container, cls: type, _seen: set[Any] | None = None
) -> None:
    """Register the marked (``@singleton``/``@scoped``/``@injectable``) classes that ``cls``'s
    constructor asks for, recursively; unmarked or unknown dependencies are left for the
    container's validation to report."""
    seen: set[Any] = _seen if _seen is not None else {cls}
    init = next(vars(base)["__init__"] for base in cls.__mro__ if "__init__" in vars(base))
    if init is object.__init__:
        return
    try:
        hints = typing.get_type_hints(init)
    except Exception:
        hints = {}
    hints.pop("return", None)
    for hint in hints.values():
        autoregister(container, hint, seen)


def service_getter(container: Container, service: Any) -> ServiceGetter:
    """Analyse ``service`` now (raising a lexigram-di error naming the fix) and return its
    per-request getter."""
    needs_scope = container.needs_scope(service)
    if container.is_async(service):
        return ServiceGetter(needs_scope, True, container.aresolver(service))
    return ServiceGetter(needs_scope, False, container.resolver(service))


def is_coroutine_callable(fn: Any) -> bool:
    """Whether calling ``fn`` returns a coroutine (functions, methods, ``__call__``)."""
    if inspect.iscoroutinefunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004
    return call is not None and inspect.iscoroutinefunction(call)
