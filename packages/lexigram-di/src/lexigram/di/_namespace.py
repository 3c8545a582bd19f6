"""Fail fast when another project's regular ``lexigram`` package shadows the namespace.

Lexigram's packages share ``lexigram`` as a namespace (no ``lexigram/__init__.py``). An
unrelated project owns the names ``lexigram`` and ``lexigram-web`` on PyPI and ships a regular
``lexigram/__init__.py``; installed next to these packages it runs first, may have replaced
some of their files, and leaves errors such as ``No module named 'lexigram.http_errors'``.
Importing this module checks that once (a ``getattr``) and raises an ``ImportError`` naming
that distribution and the fix.
"""

from __future__ import annotations

import sys

__all__ = ["shadowed_message"]


def shadowed_message(package: str, where: str) -> str:
    """The error for ``package`` when ``where`` is the ``lexigram/__init__.py`` in the way."""
    import importlib.metadata

    owners = sorted(
        f"{dist.metadata['Name']} {dist.version}"
        for dist in importlib.metadata.distributions()
        if any(file.as_posix() == "lexigram/__init__.py" for file in dist.files or ())
    )
    owner = ", ".join(owners) or "no installed distribution (look at PYTHONPATH)"
    remove = " ".join(name.split()[0] for name in owners) or "that package"
    return (
        f"{package} cannot be imported: {where} makes 'lexigram' a regular package, which "
        f"shadows the namespace Lexigram's packages share. It comes from {owner}: an unrelated "
        f"project that owns the names 'lexigram' and 'lexigram-web' on PyPI. Fix: pip uninstall "
        f"{remove}, then install Lexigram from its repository (see 'Installing' in its README)"
    )


_where: object = getattr(sys.modules.get("lexigram"), "__file__", None)
if isinstance(_where, str):
    raise ImportError(shadowed_message(__name__.rpartition(".")[0], _where))
