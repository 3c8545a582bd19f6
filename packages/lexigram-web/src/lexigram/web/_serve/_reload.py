"""What ``--reload`` watches: the app's Python sources and its ``application*.yaml`` files.

Nothing else restarts the server: not the database, log or cache files an app writes next to
its code, and nothing under a hidden folder, ``var/``, ``__pycache__``, ``node_modules`` or a
virtual environment.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["CONFIG_PATTERNS", "IGNORED_DIRS", "SOURCE_PATTERNS", "granian_filter", "is_watched"]

SOURCE_PATTERNS = ("*.py",)
CONFIG_PATTERNS = ("application*.yaml", "application*.yml")
IGNORED_DIRS = frozenset({"var", "__pycache__", "node_modules", "venv", "env", "site-packages"})


def is_watched(path: Path, roots: Iterable[Path]) -> bool:
    """Whether a change to ``path`` (under one of ``roots``) restarts the server."""
    name = path.name
    if not any(fnmatch.fnmatch(name, p) for p in (*SOURCE_PATTERNS, *CONFIG_PATTERNS)):
        return False
    for root in roots:
        try:
            folders = path.relative_to(root).parts[:-1]
        except ValueError:
            continue
        return not any(part.startswith(".") or part in IGNORED_DIRS for part in folders)
    return False


def granian_filter(roots: Iterable[Path]) -> type[Any]:
    """A watchfiles filter class (what granian's ``reload_filter`` takes) for ``roots``."""
    from watchfiles import BaseFilter

    watched_roots = tuple(Path(root).resolve() for root in roots)

    class SourceFilter(BaseFilter):
        """Python sources and ``application*.yaml`` under the watched folders, nothing else."""

        def __call__(self, change: Any, path: str) -> bool:
            return is_watched(Path(path), watched_roots)

    return SourceFilter
