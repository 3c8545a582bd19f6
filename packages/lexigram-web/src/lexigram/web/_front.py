"""The innermost defaults of an app's middleware stack, run by its dispatcher instead of as
layers.

``DefaultMiddlewareStack`` ends with ``RequestIDMiddleware``, ``SecurityHeadersMiddleware``,
``BodySizeLimitMiddleware`` and ``QuerySanitizerMiddleware`` (those the config asks for).
Whatever run of them ends the stack, with nothing of the app's or the config's in between
(CORS, trusted hosts and gzip sit in between when enabled), is decided at startup to run in
the dispatcher: one scan of the request headers gives the request id and the declared body
length, the route's pipeline starts its response headers with the id and the security headers
(``ResponseDefaults``), and no send wrapper or layer is added per request. The answers are
those of the layered stack; ``app.middleware_stack`` still lists every entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.middleware import Middleware
from starlette.types import Receive, Scope, Send

from ._http.limits import BodyLimit, QueryRules
from ._http.request_id import RequestIds
from ._http.response_defaults import ResponseDefaults
from .middleware import (
    BodySizeLimitMiddleware,
    QuerySanitizerMiddleware,
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
)

__all__ = ["Front", "fold"]

_FOLDABLE: frozenset[object] = frozenset(
    {
        RequestIDMiddleware,
        SecurityHeadersMiddleware,
        BodySizeLimitMiddleware,
        QuerySanitizerMiddleware,
    }
)


@dataclass(frozen=True, slots=True)
class Front:
    """What the dispatcher runs before routing (each part ``None`` when left to middleware)."""

    ids: RequestIds | None = None
    defaults: ResponseDefaults | None = None
    """The request id and security headers every answer carries (with ``ids``)."""
    limit: BodyLimit | None = None
    query: QueryRules | None = None


async def _unused(scope: Scope, receive: Receive, send: Send) -> None:  # pragma: no cover
    raise AssertionError("a folded middleware is never called")


def _cls(entry: Middleware) -> object:
    return entry.cls


def fold(entries: Sequence[Middleware]) -> tuple[list[Middleware], Front | None]:
    """Split a built stack (outermost first) into the entries still applied as middleware and
    the ``Front`` the dispatcher runs (``None``: nothing to fold)."""
    kept = list(entries)
    folded: dict[object, Any] = {}
    while kept:
        cls = _cls(kept[-1])
        if cls not in _FOLDABLE or cls in folded:
            break
        if cls is SecurityHeadersMiddleware and (
            len(kept) < 2 or _cls(kept[-2]) is not RequestIDMiddleware
        ):
            break  # the security headers are added with the request id, or by middleware
        entry = kept.pop()
        folded[cls] = entry.cls(_unused, *entry.args, **entry.kwargs)
    if not folded:
        return kept, None
    headers = folded.get(SecurityHeadersMiddleware)
    request_ids = folded.get(RequestIDMiddleware)
    ids: RequestIds | None = request_ids.ids if request_ids is not None else None
    static = headers.raw_headers if headers is not None else ()
    limit = folded.get(BodySizeLimitMiddleware)
    query = folded.get(QuerySanitizerMiddleware)
    return kept, Front(
        ids=ids,
        defaults=ResponseDefaults(ids, static) if ids is not None else None,
        limit=limit.limit if limit is not None else None,
        query=query.rules if query is not None else None,
    )
