"""Where an application module lives, found on ``sys.path`` without importing anything."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path

__all__ = ["ModulePlace", "locate_module"]


@dataclass(frozen=True, slots=True)
class ModulePlace:
    """``home``: the folder of the module (a package's own folder); ``root``: the folder of
    its top-level package (the module's folder for a top-level module), what ``--reload``
    watches."""

    home: Path
    root: Path


def locate_module(module_name: str) -> ModulePlace | None:
    """The place of ``module_name`` (``None`` if it is not on ``sys.path``)."""
    search: list[str] | None = None
    found: list[tuple[ModuleSpec, list[str]]] = []
    for part in module_name.split("."):
        spec = PathFinder.find_spec(part, search)
        if spec is None:
            return None
        search = list(spec.submodule_search_locations or [])
        found.append((spec, search))
    if not found:
        return None
    return ModulePlace(home=_folder(*found[-1]), root=_folder(*found[0]))


def _folder(spec: ModuleSpec, locations: list[str]) -> Path:
    """A package's folder, or the folder holding a module file."""
    if locations:
        return Path(locations[0]).resolve()
    assert spec.origin is not None
    return Path(spec.origin).resolve().parent
