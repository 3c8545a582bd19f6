"""What the startup compilation shares between routes alike: renderers and error responders.

Thousands of routes declared alike (the same status, response model, return type, error-status
map and exception filters) render and answer errors the same way; one object each serves
them all instead of one per route.
"""

from __future__ import annotations

from typing import Any

from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers

from ._declare.decorators import RouteConfig
from ._http.render import Renderer
from ._pipeline.error_responder import ErrorResponder
from ._pipeline.filters import ErrorHandler
from ._sse.route import SSE_OPTIONS, EventStreamRenderer

__all__ = ["SharedParts"]


class SharedParts:
    """One compilation's shared renderers and error responders."""

    __slots__ = ("debug", "renderers", "responders")

    def __init__(self, debug: bool) -> None:
        self.debug = debug
        self.renderers: dict[tuple[Any, ...], Renderer] = {}
        self.responders: dict[tuple[int, int, int], ErrorResponder] = {}

    def renderer(self, config: RouteConfig, status_map: ErrorStatusMap, returns: Any) -> Renderer:
        """The route's renderer: one per distinct (status, response model, return type,
        error-status map) among the routes that stream no events (the map it keys on is kept
        alive by the renderer itself)."""
        if config.extra.get(SSE_OPTIONS) is not None:
            return _renderer(config, status_map, self.debug, returns)
        key = (config.status_code, config.response_model, id(status_map), returns)
        try:
            found = self.renderers.get(key)
        except TypeError:  # an unhashable response model or return annotation
            return _renderer(config, status_map, self.debug, returns)
        if found is None:
            found = self.renderers[key] = _renderer(config, status_map, self.debug, returns)
        return found

    def responder(
        self,
        filters: ExceptionHandlers[ErrorHandler] | None,
        status_map: ErrorStatusMap,
        renderer: Renderer,
    ) -> ErrorResponder:
        """One error responder per distinct (filters, error-status map, route status); the
        filters and the map it keys on are kept alive by the responder itself."""
        key = (id(filters), id(status_map), renderer.status)
        found = self.responders.get(key)
        if found is None:
            found = ErrorResponder(filters, status_map, renderer, self.debug)
            self.responders[key] = found
        return found


def _renderer(
    config: RouteConfig, status_map: ErrorStatusMap, debug: bool, returns: Any
) -> Renderer:
    sse_options = config.extra.get(SSE_OPTIONS)
    if sse_options is not None:
        return EventStreamRenderer(sse_options, config.status_code or 200, status_map, debug)
    status = config.status_code or 200
    return Renderer(status, config.response_model, status_map, debug=debug, returns=returns)
