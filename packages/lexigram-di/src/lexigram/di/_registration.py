"""What one registration says, and the checks that reject a registration that can never work."""

from __future__ import annotations

import enum
import functools
import inspect
from dataclasses import dataclass
from typing import Any

from ._errors import RegistrationError
from ._lifetime import Lifetime, lifetime_of


class Kind(enum.Enum):
    CLASS = "class"
    FACTORY = "factory"
    INSTANCE = "instance"
    CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class NamedKey:
    """The key of a named registration: ``(service, name)``."""

    service: Any
    name: str


@dataclass(frozen=True, slots=True)
class AllKey:
    """The key of ``resolve_all(service)`` and of a ``list[service]`` parameter."""

    service: Any


def make_key(service: Any, name: str | None) -> Any:
    return service if name is None else NamedKey(service, name)


def describe(key: Any) -> str:
    """A short, readable name for a service key, used in every message."""
    if isinstance(key, NamedKey):
        return f"{describe(key.service)}[name={key.name!r}]"
    if isinstance(key, AllKey):
        return f"list[{describe(key.service)}]"
    if isinstance(key, type):
        return key.__name__
    if isinstance(key, str):
        return repr(key)
    return getattr(key, "__name__", None) or repr(key)


@dataclass(frozen=True, eq=False, slots=True)
class Registration:
    """One registration; compared and hashed by identity (two registrations are never equal)."""

    key: Any
    lifetime: Lifetime
    kind: Kind
    target: Any = None
    """The class or factory to call (``None`` for an instance or a context value)."""
    instance: Any = None
    is_async: bool = False
    """The factory is a coroutine function or an async generator function."""
    is_generator: bool = False
    """The factory yields once; the code after the ``yield`` is its finalizer."""
    owner: Any = None
    """The module (or provider) that registered it, when known."""

    @property
    def label(self) -> str:
        return describe(self.key)


def _is_protocol(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False))


def _async_flags(factory: Any) -> tuple[bool, bool]:
    """``(is_async, is_generator)`` for a factory, looking through partials and ``__call__``."""
    func = factory
    while isinstance(func, functools.partial):
        func = func.func
    if not inspect.isroutine(func) and not isinstance(func, type):
        func = getattr(func, "__call__", func)  # noqa: B004
    if inspect.isasyncgenfunction(func):
        return True, True
    if inspect.iscoroutinefunction(func):
        return True, False
    return False, inspect.isgeneratorfunction(func)


def make_registration(
    service: Any,
    implementation: Any,
    factory: Any,
    instance: Any,
    lifetime: Lifetime | None,
    name: str | None,
    owner: Any = None,
) -> Registration:
    """Check one registration request and turn it into a ``Registration``."""
    if service is None:
        raise RegistrationError("cannot register None as a service; pass a class or a key")
    try:
        hash(service)
    except TypeError:
        raise RegistrationError(
            f"service keys must be hashable, got {service!r}; register a class instead"
        ) from None
    key = make_key(service, name)
    label = describe(key)
    given = [n for n, v in (("implementation", implementation), ("factory", factory),
                            ("instance", instance)) if v is not None]  # fmt: skip
    if len(given) > 1:
        raise RegistrationError(
            f"{label}: pass only one of implementation, factory= or instance= (got {given})"
        )
    if implementation is not None:
        if isinstance(implementation, type):
            return _class_registration(key, service, implementation, lifetime, owner)
        if callable(implementation):
            factory = implementation
        else:
            instance = implementation
    if factory is not None:
        if isinstance(factory, type):
            return _class_registration(key, service, factory, lifetime, owner)
        if not callable(factory):
            raise RegistrationError(
                f"the factory for {label} must be callable, got {factory!r} "
                f"({type(factory).__name__}); to register an existing object use "
                f"container.singleton({describe(service)}, instance=...)"
            )
        is_async, is_generator = _async_flags(factory)
        return Registration(key, lifetime or Lifetime.TRANSIENT, Kind.FACTORY, factory,
                            None, is_async, is_generator, owner)  # fmt: skip
    if instance is not None:
        if lifetime not in (None, Lifetime.SINGLETON):
            raise RegistrationError(
                f"cannot register an instance for {lifetime.value} {label}: one object is shared "
                f"by every resolution, so register it with container.singleton({label}, "
                f"instance=...), or pass factory= to build a new one each time"
            )
        return Registration(key, Lifetime.SINGLETON, Kind.INSTANCE, None, instance, owner=owner)
    if not isinstance(service, type):
        raise RegistrationError(
            f"{label} is not a class, so it cannot build itself; register it with an "
            f"implementation class, factory= or instance="
        )
    return _class_registration(key, service, service, lifetime, owner)


def _class_registration(
    key: Any, service: Any, cls: type, lifetime: Lifetime | None, owner: Any
) -> Registration:
    label = describe(key)
    if inspect.isabstract(cls) or _is_protocol(cls):
        what = "a Protocol" if _is_protocol(cls) else "abstract"
        raise RegistrationError(
            f"{cls.__name__} is {what} and cannot be instantiated; bind {label} to a concrete "
            f"class, e.g. container.singleton({describe(service)}, Implementation)"
        )
    if (
        isinstance(service, type)
        and service is not cls
        and not _is_protocol(service)
        and not issubclass(cls, service)
    ):
        raise RegistrationError(
            f"{cls.__name__} does not subclass {service.__name__}, so it cannot implement it; "
            f"make it a subclass, or declare {service.__name__} as a typing.Protocol"
        )
    chosen = lifetime or lifetime_of(cls) or Lifetime.TRANSIENT
    return Registration(key, chosen, Kind.CLASS, cls, owner=owner)


def context_registration(service: Any, name: str | None, owner: Any = None) -> Registration:
    """A scoped value supplied by ``container.scope(context={service: value})``."""
    if service is None:
        raise RegistrationError("cannot declare None as a context value; pass a class or a key")
    return Registration(make_key(service, name), Lifetime.SCOPED, Kind.CONTEXT, owner=owner)
