"""Lifecycle event payloads an app publishes to its subscribers (``app.on(Type, handler)``).

Each payload is a frozen dataclass. ``RequestReceived`` and ``ResponsePrepared`` are published
per HTTP request, ``LifespanStartupCompleted`` and ``LifespanShutdownCompleted`` once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LifespanShutdownCompleted",
    "LifespanStartupCompleted",
    "RequestReceived",
    "ResponsePrepared",
]


@dataclass(frozen=True, slots=True)
class RequestReceived:
    """An HTTP request arrived (before any middleware ran).

    ``path``: the URL path (e.g. ``"/api/users"``); ``method``: the upper-case verb.
    """

    path: str
    method: str


@dataclass(frozen=True, slots=True)
class ResponsePrepared:
    """A response was assembled and is about to be sent (its start message is ready).

    ``path``: the URL path it answers; ``status_code``: its status; ``method``: the verb.
    """

    path: str
    status_code: int
    method: str = ""


@dataclass(frozen=True, slots=True)
class LifespanStartupCompleted:
    """The app started: DI application booted, routes compiled, middleware built."""

    app: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LifespanShutdownCompleted:
    """The app stopped in order: the DI application and its providers are shut down."""

    app: Any = field(default=None, repr=False, compare=False)
