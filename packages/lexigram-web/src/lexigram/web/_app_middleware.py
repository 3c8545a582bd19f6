"""``MiddlewareList``: the middleware an app declares, built into one stack at startup."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ASGIApp

from ._declarations import Gate

__all__ = ["MiddlewareList", "build_stack"]


class MiddlewareList:
    """Pure-ASGI middleware, outermost first: classes, factories or
    ``starlette.middleware.Middleware`` entries."""

    __slots__ = ("entries", "gate")

    def __init__(self, entries: Sequence[Any], gate: Gate) -> None:
        self.entries = list(entries)
        self.gate = gate

    def add(self, middleware: Any, **options: Any) -> None:
        """Append a middleware (innermost so far); ``options`` go to its constructor."""
        self.gate.check("add middleware")
        self.entries.append(Middleware(middleware, **options) if options else middleware)

    def build(self, app: ASGIApp, outer: Sequence[Any] = ()) -> ASGIApp:
        """``app`` wrapped in ``outer`` (providers' middleware), then these entries."""
        return build_stack(app, [*outer, *self.entries])


def build_stack(app: ASGIApp, middleware: Sequence[Any]) -> ASGIApp:
    """Wrap ``app`` in ``middleware`` (outermost first), once."""
    for entry in reversed(middleware):
        if isinstance(entry, Middleware):
            cls, args, kwargs = entry
            app = cls(app, *args, **kwargs)
        elif callable(entry):
            app = typing.cast(ASGIApp, entry(app))
        else:
            raise TypeError(
                f"middleware {entry!r} is neither a class, a factory nor a"
                " starlette.middleware.Middleware entry"
            )
    return app
