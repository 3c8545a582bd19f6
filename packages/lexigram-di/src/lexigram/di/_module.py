"""Modules: groups of providers and services, with imports, exports and runtime configuration."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from ._errors import RegistrationError

T = TypeVar("T", bound=type)

MODULE_ATTR = "__lexigram_module__"


@dataclass(frozen=True, slots=True)
class ModuleMeta:
    """What a module declares.

    ``providers`` holds ``Provider`` instances or classes (built with no arguments) and
    service classes (registered with their marker's lifetime, transient when unmarked);
    ``scan`` names Python modules or packages whose marked classes are registered too;
    ``imports`` are the modules booted before this one; ``exports`` the service keys (or
    imported modules) other modules may depend on: when a module declares exports, its other
    registrations are private to it.
    """

    providers: tuple[Any, ...] = ()
    imports: tuple[Any, ...] = ()
    exports: tuple[Any, ...] = ()
    controllers: tuple[type, ...] = ()
    scan: tuple[str | ModuleType, ...] = ()

    def extended(self, other: ModuleMeta) -> ModuleMeta:
        return ModuleMeta(
            self.providers + other.providers,
            self.imports + other.imports,
            self.exports + other.exports,
            self.controllers + other.controllers,
            self.scan + other.scan,
        )


def _meta(
    providers: Sequence[Any] = (),
    imports: Sequence[Any] = (),
    exports: Sequence[Any] = (),
    controllers: Sequence[type] = (),
    scan: Sequence[str | ModuleType] = (),
) -> ModuleMeta:
    return ModuleMeta(tuple(providers), tuple(imports), tuple(exports), tuple(controllers),
                      tuple(scan))  # fmt: skip


def module(
    *,
    providers: Sequence[Any] = (),
    imports: Sequence[Any] = (),
    exports: Sequence[Any] = (),
    controllers: Sequence[type] = (),
    scan: Sequence[str | ModuleType] = (),
) -> Callable[[T], T]:
    """Declare a class as a module (see ``ModuleMeta`` for the fields)."""
    meta = _meta(providers, imports, exports, controllers, scan)

    def decorate(cls: T) -> T:
        if not isinstance(cls, type):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"@module decorates classes, got {cls!r}")
        setattr(cls, MODULE_ATTR, meta)
        return cls

    return decorate


class Module:
    """Base class for modules declared with class attributes instead of ``@module``."""

    providers: ClassVar[Sequence[Any]] = ()
    imports: ClassVar[Sequence[Any]] = ()
    exports: ClassVar[Sequence[Any]] = ()
    controllers: ClassVar[Sequence[type]] = ()
    scan: ClassVar[Sequence[str | ModuleType]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = _meta(cls.providers, cls.imports, cls.exports, cls.controllers, cls.scan)
        setattr(cls, MODULE_ATTR, meta)

    @classmethod
    def configure(cls, **extra: Any) -> DynamicModule:
        """This module as a ``DynamicModule``.

        ``extra`` (providers=, imports=, ...) is added to what the class declares.
        Configurable modules override this."""
        return DynamicModule(cls, **extra)

    @classmethod
    def stub(cls, **extra: Any) -> DynamicModule:
        """A variant for tests (no external services). Defaults to ``configure``."""
        return cls.configure(**extra)


class DynamicModule:
    """A module configured at runtime, typically returned by ``SomeModule.configure(...)``.

    ``DynamicModule(SomeModule, providers=[...])`` adds to what ``SomeModule`` declares. A
    subclass may call ``super().__init__(providers=[...])`` from its own ``__init__``; its
    ``configure(**kw)`` then defaults to ``cls(**kw)``.
    """

    def __init__(
        self,
        module: type | None = None,
        *,
        providers: Sequence[Any] = (),
        imports: Sequence[Any] = (),
        exports: Sequence[Any] = (),
        controllers: Sequence[type] = (),
        scan: Sequence[str | ModuleType] = (),
    ) -> None:
        self.module: type = module if module is not None else type(self)
        base: ModuleMeta | None = getattr(self.module, MODULE_ATTR, None)
        own = _meta(providers, imports, exports, controllers, scan)
        self.meta = base.extended(own) if isinstance(base, ModuleMeta) else own

    # ``*args: Any, **options: Any`` is the gradual signature: a subclass may declare exactly
    # the arguments it accepts (typed) and still override these two.
    @classmethod
    def configure(cls, *args: Any, **options: Any) -> DynamicModule:
        """Build this module: ``cls(*args, **options)``; subclasses define what they accept."""
        return cls(*args, **options)

    @classmethod
    def stub(cls, *args: Any, **options: Any) -> DynamicModule:
        """A variant for tests (no external services). Defaults to ``configure``."""
        return cls.configure(*args, **options)

    @property
    def name(self) -> str:
        return self.module.__name__

    def __repr__(self) -> str:
        return f"<DynamicModule {self.name}>"


def module_meta(item: Any) -> ModuleMeta:
    """The declaration of a module class or ``DynamicModule``."""
    if isinstance(item, DynamicModule):
        return item.meta
    meta = item.__dict__.get(MODULE_ATTR) if isinstance(item, type) else None
    if not isinstance(meta, ModuleMeta):
        raise RegistrationError(
            f"{item!r} is not a module; decorate it with @module(providers=[...]), subclass "
            f"Module, or pass a DynamicModule"
        )
    return meta


def module_name(item: Any) -> str:
    if isinstance(item, DynamicModule):
        return item.name
    return getattr(item, "__name__", repr(item))


def module_identity(item: Any) -> Any:
    """Two entries with the same identity are one module (a configured one wins)."""
    if isinstance(item, DynamicModule):
        return item if item.module is DynamicModule else item.module
    return item
