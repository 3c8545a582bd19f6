"""The headers an app adds to every HTTP answer itself, without a middleware layer.

When the request id and security headers of the default stack run in an app's dispatcher
(see ``RequestIDMiddleware``), a route's pipeline starts each request's ``response_headers``
with them (``seed``), so every answer the pipeline sends carries them at no extra step. As
with the middleware, a header the application sets itself wins: ``add_header`` replaces the
default of the same name, and a response that carries one of them keeps its own (``join``).
Answers sent outside a route's pipeline (no route, the framework's own endpoints) get them
through ``adding``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from starlette.types import Message, Scope, Send

from .request_id import RequestIds, request_id_of

__all__ = ["Headers", "ResponseDefaults"]

Headers = list[tuple[bytes, bytes]]


class ResponseDefaults:
    """The request id header (``ids.header``, the request's id) and the ``static`` headers
    (lower-case names), added to every HTTP answer that does not set them."""

    __slots__ = ("_static_set", "clear_of_problems", "header", "ids", "names", "static")

    def __init__(self, ids: RequestIds, static: Iterable[tuple[bytes, bytes]] = ()) -> None:
        self.ids = ids
        self.header = ids.header
        self.static = tuple(static)
        self._static_set = frozenset(self.static)
        self.names = frozenset([self.header, *(name for name, _ in self.static)])
        """Every header name these defaults add (lower case)."""
        self.clear_of_problems = self.names.isdisjoint((b"content-type", b"content-length"))
        """No default is named like a rendered problem's own headers: joining them to a
        problem's ``content-type`` and ``content-length`` keeps every default."""

    def seed(self, scope: Scope) -> Headers:
        """The headers to add to the answer to ``scope`` (its id, when it has one)."""
        request_id = request_id_of(scope)
        if request_id is None:
            return list(self.static)
        return [(self.header, request_id.encode()), *self.static]

    def _is_default(self, entry: tuple[bytes, bytes], scope: Scope | None) -> bool:
        if entry in self._static_set:
            return True
        if entry[0] != self.header:
            return False
        request_id = request_id_of(scope) if scope is not None else None
        return request_id is None or entry[1] == request_id.encode()

    def join(
        self,
        own: Sequence[tuple[bytes, bytes]],
        extra: Headers,
        scope: Scope | None = None,
        *,
        any_case: bool = False,
    ) -> Headers:
        """``own`` (a response's headers) then ``extra`` (a request's ``response_headers``),
        without the defaults in ``extra`` whose name ``own`` already has. The names of ``own``
        are compared as they are (lower case, as Starlette's responses and the problems
        write them), or in any case with ``any_case``."""
        names = self.names
        if any_case:  # a message's headers: any iterable, any case
            own = list(own)
        for name, _ in own:
            if (name.lower() if any_case else name) in names:
                present = {n.lower() for n, _ in own}
                kept = (e for e in extra if not (e[0] in present and self._is_default(e, scope)))
                return [*own, *kept]
        return [*own, *extra]

    def drop(self, headers: Headers, name: bytes, scope: Scope) -> None:
        """Remove the default ``name`` from ``headers`` (the application sets its own)."""
        for index, entry in enumerate(headers):
            if entry[0] == name and self._is_default(entry, scope):
                del headers[index]
                return

    def adding(self, scope: Scope, send: Send) -> Send:
        """``send`` adding the defaults to the response start (for answers sent outside a
        route's pipeline)."""
        seeded = self.seed(scope)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: Any = message.get("headers", ())
                message = {**message, "headers": self.join(headers, seeded, scope, any_case=True)}
            await send(message)

        return sending
