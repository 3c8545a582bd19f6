"""Importing the application named by ``"package.module:attr"``, with one-line errors."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from typing import Protocol, runtime_checkable

__all__ = ["CLIError", "Startable", "check_importable", "load_app", "one_line"]


class CLIError(Exception):
    """A problem reported as one ``lexigram: error: ...`` line and exit status 2."""


@runtime_checkable
class Startable(Protocol):
    """An application whose routes are compiled at startup (``LexigramApp``)."""

    @property
    def started(self) -> bool: ...

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...


def load_app(spec: str, *, factory: bool = False) -> object:
    """Import ``"package.module:attr"`` (``attr`` may be dotted); ``CLIError`` on failure.

    The working directory is put on ``sys.path`` first, as servers do. With ``factory``, the
    attribute must be callable (it is not called: each worker calls it).
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise CLIError(f"{spec!r} is not an import string; write 'package.module:app'")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise CLIError(
                f"cannot import module {module_name!r}: no module named {missing!r} "
                "(run from the project directory or add it to PYTHONPATH)"
            ) from None
        raise CLIError(_failed_import(module_name, exc)) from None
    except Exception as exc:
        raise CLIError(_failed_import(module_name, exc)) from None
    target: object = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise CLIError(f"module {module_name!r} has no attribute {attribute!r}") from None
    if factory and not callable(target):
        raise CLIError(
            f"{spec} is not callable: --factory needs a function returning the application "
            "(or drop --factory to serve the object itself)"
        )
    return target


_CHECK = """
import sys
from lexigram.web._serve._load import CLIError, load_app
try:
    load_app(sys.argv[1], factory=sys.argv[2] == "factory")
except CLIError as exc:
    print(exc, file=sys.stderr)
    raise SystemExit(2) from None
"""


def check_importable(spec: str, *, factory: bool = False) -> None:
    """Like ``load_app`` but in a child interpreter, leaving this process's modules alone."""
    command = [sys.executable, "-c", _CHECK, spec, "factory" if factory else "object"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise CLIError(lines[-1] if lines else f"importing {spec!r} failed")


def _failed_import(module_name: str, exc: BaseException) -> str:
    return f"importing module {module_name!r} failed: {one_line(exc)}"


def one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
