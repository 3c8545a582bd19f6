"""``MiddlewareList``: the middleware an app declares, built into one stack at startup.

The stack is always ``DefaultMiddlewareStack(config, extra_middlewares=...)``: the providers'
and the app's own middleware in front, then what the config asks for (see ``middleware_stack``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.middleware import Middleware
from starlette.types import ASGIApp

from ._app_config import middleware_stack
from ._config.web_config import WebConfig
from ._declarations import Gate
from .middleware import DefaultMiddlewareStack, apply_middleware

__all__ = ["MiddlewareList"]


class MiddlewareList:
    """The app's own middleware, outermost first: classes, factories,
    ``starlette.middleware.Middleware`` entries (any extra ``DefaultMiddlewareStack`` takes)."""

    __slots__ = ("entries", "gate")

    def __init__(self, entries: Sequence[Any], gate: Gate) -> None:
        self.entries = list(entries)
        self.gate = gate

    def add(self, middleware: Any, **options: Any) -> None:
        """Append a middleware (innermost so far); ``options`` go to its constructor."""
        self.gate.check("add middleware")
        self.entries.append(Middleware(middleware, **options) if options else middleware)

    def stack(self, config: WebConfig, outer: Sequence[Any] = ()) -> DefaultMiddlewareStack:
        """The stack for ``config`` with ``outer`` (providers' middleware), then these entries,
        as extras."""
        return middleware_stack(config, [*outer, *self.entries])

    def build(
        self, app: ASGIApp, config: WebConfig, outer: Sequence[Any] = ()
    ) -> tuple[DefaultMiddlewareStack, ASGIApp]:
        """``stack(config, outer)``, and ``app`` wrapped in it, once."""
        stack = self.stack(config, outer)
        return stack, apply_middleware(app, stack.build())
