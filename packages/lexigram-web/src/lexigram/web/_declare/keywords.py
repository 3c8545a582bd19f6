"""Refusing decorator mistakes when the decorator runs: unknown keywords, a missing path, a
decorator written bare that needs arguments.

Each error names the mistake and the fix (``unknown keyword 'status_cod': did you mean
'status_code'?``), so a typo never becomes a setting that silently does nothing.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["check_not_bare", "check_path", "refuse_unknown", "suggestion"]


def suggestion(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, else the valid choices."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f": did you mean {close[0]!r}?"
    return f"; valid keywords: {', '.join(options)}" if options else ""


def refuse_unknown(where: str, given: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise ``TypeError`` for the first keyword of ``given`` not in ``allowed``."""
    known = frozenset(allowed)
    for key in given:
        if key not in known:
            raise TypeError(f"{where}: unknown keyword {key!r}{suggestion(key, known)}")


def check_path(where: str, path: object) -> str:
    """``path`` if it is a string; a function or class in its place means the decorator was
    written bare (``@get`` instead of ``@get("/items")``)."""
    if isinstance(path, str):
        return path
    if callable(path):
        name = getattr(path, "__qualname__", repr(path))
        raise TypeError(
            f"@{where} was applied to {name} without a path, so it would register nothing;"
            f' write @{where}("/path") (or @{where}("") for the prefix itself)'
        )
    raise TypeError(f'@{where} takes the path as a string, e.g. @{where}("/items"); got {path!r}')


def check_not_bare(where: str, items: tuple[Any, ...], what: str) -> None:
    """Refuse ``@use_guards`` written bare: the decorated function arrives as the only item."""
    for item in items:
        if inspect.isfunction(item) or inspect.ismethod(item):
            raise TypeError(
                f"@{where} was given the function {item.__qualname__} as one of its {what};"
                f" write @{where}(Something) with the {what} to apply (not bare @{where})"
            )
