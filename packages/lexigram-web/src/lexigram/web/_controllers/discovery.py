"""``discover_controllers``: find ``Controller`` subclasses in packages (no registry involved)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable

from .._declare.metadata import read_value
from .._ws.handler import HANDLER_ROUTE
from .controller import Controller, CQRSController

__all__ = ["discover_controllers"]

_BASES = (Controller, CQRSController)


def _modules(package: str) -> list[str]:
    module = importlib.import_module(package)
    names = [module.__name__]
    path = getattr(module, "__path__", None)
    if path is not None:
        for info in pkgutil.walk_packages(path, prefix=module.__name__ + "."):
            names.append(info.name)
    return names


def discover_controllers(packages: Iterable[str]) -> list[type]:
    """The controllers defined in ``packages``, found by importing every module.

    Returns the ``Controller`` subclasses (and ``@websocket_handler`` classes) the modules
    define, recursively, in a stable order, not instantiated."""
    found: list[type] = []
    for package in packages:
        for name in _modules(package):
            module = importlib.import_module(name)
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if (
                    (
                        (issubclass(obj, Controller) and obj not in _BASES)
                        or read_value(obj, HANDLER_ROUTE) is not None
                    )
                    and obj.__module__ == module.__name__
                    and not inspect.isabstract(obj)
                    and obj not in found
                ):
                    found.append(obj)
    return found
