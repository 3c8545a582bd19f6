"""What the startup compilation shares between routes alike: renderers and error responders.

Thousands of routes declared alike (the same status, response model, return type, error-status
map and exception filters) render and answer errors the same way; one object each serves
them all instead of one per route.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from lexigram.http_errors import ErrorStatusMap, ExceptionHandlers

from ._declare.decorators import WEBSOCKET, RouteConfig
from ._http.render import Renderer
from ._http.response_model import ResponseModel, declared_type
from ._pipeline.error_responder import ErrorResponder
from ._pipeline.filters import ErrorHandler
from ._sse.route import SSE_OPTIONS, EventStreamRenderer

__all__ = ["SharedParts"]


class SharedParts:
    """One compilation's shared renderers, response-model adapters and error responders."""

    __slots__ = ("adapters", "debug", "renderers", "responders")

    def __init__(self, debug: bool) -> None:
        self.debug = debug
        self.renderers: dict[tuple[Any, ...], Renderer] = {}
        self.adapters: dict[Any, TypeAdapter[Any]] = {}
        self.responders: dict[tuple[int, int, int], ErrorResponder] = {}

    def renderer(
        self, config: RouteConfig, status_map: ErrorStatusMap, returns: Any, route: str
    ) -> Renderer:
        """The route's renderer. Routes without a response model share one per distinct
        (status, error-status map); a route with one gets its own (its mismatches are logged
        naming ``route``), built on one pydantic adapter per declared type."""
        status = config.status_code or 200
        sse_options = config.extra.get(SSE_OPTIONS)
        if sse_options is not None:
            return EventStreamRenderer(sse_options, status, status_map, self.debug)
        declared = None if config.method == WEBSOCKET else declared_type(returns, config)
        if declared is not None:
            model = ResponseModel(declared, route, self._adapter(declared))
            return Renderer(status, model, status_map, debug=self.debug)
        key = (status, id(status_map))  # the map is kept alive by the renderer itself
        found = self.renderers.get(key)
        if found is None:
            found = self.renderers[key] = Renderer(status, None, status_map, debug=self.debug)
        return found

    def _adapter(self, declared: Any) -> TypeAdapter[Any] | None:
        """One adapter per hashable declared type (``None``: the model builds its own, and
        reports a type pydantic cannot validate)."""
        try:
            found = self.adapters.get(declared)
        except TypeError:  # an unhashable annotation
            return None
        if found is None:
            try:
                found = self.adapters[declared] = TypeAdapter(declared)
            except Exception:  # reported by ResponseModel, naming the route
                return None
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
