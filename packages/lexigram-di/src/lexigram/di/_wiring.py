"""Plan an application: order modules (imports first), find cycles, scan, check exports."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ._errors import CircularDependencyError, RegistrationError, ResolutionError
from ._lifetime import lifetime_of
from ._module import DynamicModule, ModuleMeta, module_identity, module_meta, module_name
from ._provider import Provider
from ._registration import NamedKey, describe

if TYPE_CHECKING:
    from ._container import Container


@dataclass(slots=True)
class Unit:
    """One module of the plan (or the application itself, ``identity is None``)."""

    identity: Any
    name: str
    meta: ModuleMeta
    providers: list[Provider] = field(default_factory=list[Provider])
    services: list[type] = field(default_factory=list[type])


def order_modules(roots: list[Any]) -> list[tuple[Any, Any]]:
    """``(identity, entry)`` for every module reachable from ``roots``, imports first."""
    chosen: dict[Any, Any] = {}
    seen: list[Any] = []
    pending = list(roots)
    while pending:
        entry = pending.pop(0)
        if any(entry is s for s in seen):
            continue
        seen.append(entry)
        identity = module_identity(entry)
        previous = chosen.get(identity)
        if previous is None:
            chosen[identity] = entry
        elif isinstance(entry, DynamicModule) and isinstance(previous, DynamicModule):
            raise RegistrationError(
                f"module {module_name(entry)} is configured twice; configure it once, at the "
                f"top of the application, and import the class elsewhere"
            )
        elif isinstance(entry, DynamicModule):
            chosen[identity] = entry
        pending.extend(module_meta(entry).imports)
    ordered: list[tuple[Any, Any]] = []
    done: set[Any] = set()
    stack: list[Any] = []

    def visit(identity: Any) -> None:
        if identity in done:
            return
        if identity in stack:
            loop = [*stack[stack.index(identity) :], identity]
            names = [module_name(chosen[i]) for i in loop]
            raise CircularDependencyError(
                f"module import cycle: {' -> '.join(names)}; move what both need into a "
                f"third module that each imports",
                tuple(names),
            )
        stack.append(identity)
        for imported in module_meta(chosen[identity]).imports:
            visit(module_identity(imported))
        stack.pop()
        done.add(identity)
        ordered.append((identity, chosen[identity]))

    for root in roots:
        visit(module_identity(root))
    return ordered


def build_units(roots: list[Any], providers: list[Any]) -> list[Unit]:
    units: list[Unit] = []
    for identity, entry in order_modules(roots):
        meta = module_meta(entry)
        unit = Unit(identity, module_name(entry), meta)
        _fill(unit, meta.providers)
        for target in meta.scan:
            unit.services.extend(scan_marked(target))
        units.append(unit)
    app = Unit(None, "application", ModuleMeta())
    _fill(app, providers)
    units.append(app)
    return units


def _fill(unit: Unit, items: tuple[Any, ...] | list[Any]) -> None:
    for item in items:
        if isinstance(item, Provider):
            unit.providers.append(item)
        elif isinstance(item, type) and issubclass(item, Provider):
            unit.providers.append(item())
        elif isinstance(item, type):
            unit.services.append(item)
        else:
            raise RegistrationError(
                f"{unit.name}: {item!r} is neither a Provider nor a class; list Provider "
                f"instances or classes, or service classes, in providers="
            )


def scan_marked(target: str | ModuleType) -> list[type]:
    """Classes marked ``@injectable``/``@singleton``/... defined in a module or package."""
    root = importlib.import_module(target) if isinstance(target, str) else target
    modules = [root]
    path = getattr(root, "__path__", None)
    if path is not None:
        for info in sorted(pkgutil.walk_packages(path, root.__name__ + "."), key=lambda i: i.name):
            modules.append(importlib.import_module(info.name))
    found: list[type] = []
    for mod in modules:
        for value in list(vars(mod).values()):
            if (
                isinstance(value, type)
                and value.__module__ == mod.__name__
                and lifetime_of(value) is not None
            ):
                found.append(value)
    return found


def check_exports(container: Container, units: list[Unit]) -> None:
    """A module that declares exports keeps its other registrations to itself."""
    exporting = {u.identity: u for u in units if u.identity is not None and u.meta.exports}
    if not exporting:
        return
    for reg in container.registrations():
        if reg.owner is None:
            continue
        node = container._graph.node(reg.key)  # pyright: ignore[reportPrivateUsage]
        if node.reg is not reg:
            continue
        for _, _, dep in node.args:
            owner = dep.reg.owner if dep is not None and dep.reg is not None else None
            if dep is None or owner is None or owner == reg.owner or owner not in exporting:
                continue
            exports = exporting[owner].meta.exports
            service = dep.key.service if isinstance(dep.key, NamedKey) else dep.key
            if dep.key in exports or service in exports:
                continue
            unit = exporting[owner]
            raise ResolutionError(
                f"{describe(reg.key)} depends on {describe(dep.key)}, which is private to "
                f"module {unit.name}; add {describe(service)} to {unit.name}'s exports, or "
                f"stop depending on it"
            )
