"""``ControllerRegistry`` and ``register_controller``: the controllers of one app or one module.

There is no process-wide registry. Each ``LexigramApp`` and each ``WebProvider`` (so each
``WebModule``) owns one: what is registered there before the app starts is served by that app,
and once the app has started its registry lists every controller it serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar

from .._declare.metadata import read_value

__all__ = ["ControllerRegistry", "HasControllerRegistry", "register_controller"]

C = TypeVar("C", bound=type)


class ControllerRegistry:
    """Controller classes by name, owned by one app or one web module.

    A class registers under its ``@controller(name)`` name, else its class name.
    Registering a second class under a taken name raises ``ValueError`` unless
    ``allow_overwrite=True``; registering the same class again changes nothing. Once the
    owning app has started, its routes are compiled: ``register`` and ``clear`` then raise
    ``RuntimeError`` (register before startup, or build another app).
    """

    __slots__ = ("_by_name", "_frozen")

    def __init__(self) -> None:
        self._by_name: dict[str, type] = {}
        self._frozen: str | None = None

    def register(
        self,
        key: str | type,
        value: type | None = None,
        *,
        allow_overwrite: bool | None = None,
    ) -> type:
        """Register ``key`` (a class), or ``value`` under the name ``key``; return the class."""
        if isinstance(key, type):
            if value is not None:
                raise TypeError(
                    "register(cls) takes the class alone; to choose the name, call "
                    "register('name', cls)"
                )
            name, cls = controller_name(key), key
        else:
            if not isinstance(value, type):
                raise TypeError(
                    f"register({key!r}, value) needs the controller class as value, got {value!r}"
                )
            name, cls = key, value
        self._check_open("register a controller")
        existing = self._by_name.get(name)
        if existing is not None and existing is not cls and not allow_overwrite:
            raise ValueError(
                f"the controller name {name!r} is taken by {existing.__qualname__}; give "
                f"{cls.__qualname__} another name (@controller('other') or "
                "register('other', cls)), or pass allow_overwrite=True to replace it"
            )
        self._by_name[name] = cls
        return cls

    def get(self, name: str) -> type | None:
        """The class registered under ``name``, or ``None``."""
        return self._by_name.get(name)

    def list_controllers(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._by_name)

    def get_all_controllers(self) -> list[type]:
        """Every registered class, in registration order (once each)."""
        return list(dict.fromkeys(self._by_name.values()))

    def clear(self) -> None:
        """Forget every registration (tests; not once the owning app has started)."""
        self._check_open("clear the registry")
        self._by_name.clear()

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._by_name
        return item in self._by_name.values()

    def __len__(self) -> int:
        return len(self._by_name)

    def __iter__(self) -> Iterator[type]:
        return iter(self.get_all_controllers())

    def __repr__(self) -> str:
        return f"ControllerRegistry({self.list_controllers()!r})"

    # -- used by the app at startup ------------------------------------------------------------
    def record(self, cls: type) -> None:
        """Register ``cls`` as served by the owning app.

        It is registered under its name, or under its dotted path when another class holds
        the name (two versions of ``UsersController``)."""
        if cls in self:
            return
        name = controller_name(cls)
        if name in self._by_name:
            name = f"{cls.__module__}.{cls.__qualname__}"
        self._by_name[name] = cls

    def freeze(self, owner: str) -> None:
        """Refuse changes from now on; ``owner`` is named in the error."""
        self._frozen = owner

    def thaw(self) -> None:
        self._frozen = None

    def _check_open(self, action: str) -> None:
        if self._frozen is not None:
            raise RuntimeError(
                f"cannot {action}: {self._frozen} has started and its routes are compiled; "
                "register controllers before the app starts (or pass controllers=[...])"
            )


def controller_name(cls: type) -> str:
    """The name ``@controller(name)`` gave ``cls``, else its class name."""
    name = read_value(cls, "controller_name")
    return name if isinstance(name, str) else cls.__name__


class HasControllerRegistry(Protocol):
    """An owner of a ``ControllerRegistry``: a ``LexigramApp``, a ``WebProvider``, a
    ``WebModule``."""

    @property
    def controller_registry(self) -> ControllerRegistry: ...


def register_controller(
    controller_cls: C, registry: ControllerRegistry | HasControllerRegistry | None = None
) -> C:
    """Register ``controller_cls`` with the app or module that serves it; return the class.

    ``registry`` is a ``ControllerRegistry`` or its owner (``register_controller(Users, app)``).
    The app then serves the controller and lists its routes in its ``RouteRegistry``.
    """
    if registry is None:
        raise TypeError(
            f"register_controller({controller_cls.__name__}) needs the app or module that serves"
            f" it: register_controller({controller_cls.__name__}, app) (or a WebModule, "
            "WebProvider or ControllerRegistry); there is no process-wide registry. Passing "
            "controllers=[...] or discover=[...] to the app or module does the same"
        )
    target: Any = registry
    if not isinstance(registry, ControllerRegistry):
        target = registry.controller_registry
    target.register(controller_cls)
    return controller_cls
