"""Paths excluded from a default limit, matched by a matcher compiled once."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence

__all__ = ["DEFAULT_EXCLUDE", "PathMatcher"]

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "/health",
    "/healthz",
    "/livez",
    "/readyz",
    "/docs",
    "/redoc",
    "/openapi.json",
)
"""Health and documentation endpoints: never limited by the default rate."""


class PathMatcher:
    """Matches a path against entries of two kinds:

    - a path (``"/docs"``): that path and everything below it (``/docs``, ``/docs/``,
      ``/docs/oauth2-redirect``), never a sibling that merely shares the prefix (``/docsx``);
      an entry ending with ``/`` matches everything starting with it;
    - a glob with ``*``, ``?`` or ``[`` (``"/internal/*/metrics"``), matched against the whole
      path with ``fnmatch`` rules (``*`` also crosses ``/``).
    """

    __slots__ = ("_exact", "_patterns", "_prefixes", "entries")

    def __init__(self, entries: Sequence[str]) -> None:
        if isinstance(entries, str):
            raise TypeError("exclude takes a sequence of paths, e.g. ['/health'], not one string")
        self.entries: tuple[str, ...] = tuple(entries)
        exact: set[str] = set()
        prefixes: list[str] = []
        globs: list[str] = []
        for entry in self.entries:
            if not entry.startswith("/") and not entry.startswith("*"):
                raise ValueError(f"exclude entry {entry!r} must start with '/' (or be a glob)")
            if any(ch in entry for ch in "*?["):
                globs.append(fnmatch.translate(entry))
            elif entry.endswith("/"):
                prefixes.append(entry)
            else:
                exact.add(entry)
                prefixes.append(entry + "/")
        self._exact = frozenset(exact)
        self._prefixes = tuple(prefixes)
        self._patterns = re.compile("|".join(globs)) if globs else None

    def __call__(self, path: str) -> bool:
        """Whether ``path`` is excluded."""
        if path in self._exact or path.startswith(self._prefixes):
            return True
        return self._patterns is not None and self._patterns.match(path) is not None
