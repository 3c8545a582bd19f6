"""WebSocket routes in the OpenAPI document: the ``x-websockets`` extension.

OpenAPI describes HTTP operations only, so a WebSocket route is not an operation. So that
clients and readers still find them, the document lists them under ``x-websockets``, keyed by
path: the route name, summary and description (the handler's, or the handler class's own
docstring), tags, the path and query parameters of the handshake, and ``deprecated``. A
route declared with ``include_in_schema=False`` is left out. No AsyncAPI document is
generated: message schemas are the handler's to document.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

from .._declare.decorators import WEBSOCKET
from .._declare.params import ParamSource
from .._http.context import RouteInfo
from .._ws.endpoint import HANDLER_OPTIONS

__all__ = ["own_docstring", "websocket_routes"]


def own_docstring(target: Any) -> tuple[str | None, str | None]:
    """(first line, the rest) of the docstring ``target`` declares itself (a class's is not
    inherited from its bases)."""
    raw = target.__dict__.get("__doc__") if isinstance(target, type) else inspect.getdoc(target)
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    first, _, rest = inspect.cleandoc(raw).partition("\n")
    return first.strip() or None, rest.strip() or None


def _described(info: RouteInfo) -> tuple[str | None, str | None]:
    config = info.config
    cls = info.controller_class
    if cls is not None and config is not None and HANDLER_OPTIONS in config.extra:
        # a websocket_handler class: its own docstring, else its own on_connect's
        first, rest = own_docstring(cls)
        if first is None and "on_connect" in cls.__dict__:
            first, rest = own_docstring(cls.__dict__["on_connect"])
    else:
        first, rest = own_docstring(info.handler)
    if config is not None:
        first = config.summary or first
        rest = config.description or rest
    return first, rest


def websocket_routes(routes: Iterable[RouteInfo]) -> dict[str, dict[str, Any]]:
    """The ``x-websockets`` member: every documented WebSocket route, by path."""
    found: dict[str, dict[str, Any]] = {}
    for info in routes:
        config = info.config
        if info.method != WEBSOCKET or (config is not None and not config.include_in_schema):
            continue
        entry: dict[str, Any] = {"name": info.name}
        summary, description = _described(info)
        if summary:
            entry["summary"] = summary
        if description:
            entry["description"] = description
        if config is not None and config.tags:
            entry["tags"] = list(config.tags)
        params = [
            {"name": p.wire or p.name, "in": str(p.source), "required": p.required}
            for p in info.params
            if p.source in (ParamSource.PATH, ParamSource.QUERY, ParamSource.HEADER)
        ]
        if params:
            entry["parameters"] = params
        if (config is not None and config.deprecated) or (
            info.version is not None and info.version.deprecated
        ):
            entry["deprecated"] = True
        found[info.path] = entry
    return found
