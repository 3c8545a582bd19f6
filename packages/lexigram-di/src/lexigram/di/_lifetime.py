"""Lifetimes and the class markers that record one on a class."""

from __future__ import annotations

import enum
from typing import TypeVar

T = TypeVar("T", bound=type)

MARKER = "__lexigram_injectable__"


class Lifetime(enum.Enum):
    """How long a resolved instance lives."""

    SINGLETON = "singleton"
    """One instance per container, created on first use, finalized when the container closes."""
    SCOPED = "scoped"
    """One instance per scope (``with container.scope()``), finalized when the scope closes."""
    TRANSIENT = "transient"
    """A new instance for every resolution."""


def _mark(cls: T, lifetime: Lifetime, decorator: str) -> T:
    if not isinstance(cls, type):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"@{decorator} decorates classes, got {cls!r}")
    setattr(cls, MARKER, lifetime)
    return cls


def injectable(cls: T) -> T:
    """Mark ``cls`` as a transient service (a new instance per resolution)."""
    return _mark(cls, Lifetime.TRANSIENT, "injectable")


def transient(cls: T) -> T:
    """Mark ``cls`` as a transient service (a new instance per resolution)."""
    return _mark(cls, Lifetime.TRANSIENT, "transient")


def singleton(cls: T) -> T:
    """Mark ``cls`` as a singleton (one instance per container)."""
    return _mark(cls, Lifetime.SINGLETON, "singleton")


def scoped(cls: T) -> T:
    """Mark ``cls`` as scoped (one instance per ``container.scope()``)."""
    return _mark(cls, Lifetime.SCOPED, "scoped")


def lifetime_of(cls: object) -> Lifetime | None:
    """The lifetime a marker recorded on ``cls`` itself (not inherited), or ``None``."""
    if not isinstance(cls, type):
        return None
    value = cls.__dict__.get(MARKER)
    return value if isinstance(value, Lifetime) else None
