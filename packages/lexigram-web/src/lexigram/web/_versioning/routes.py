"""Versioned routes, decided at startup.

``VersionRouting`` is consulted by the route compiler: it tells each route its version and URL
prefix, wraps a versioned endpoint so the request records its version (and a deprecated
version's responses carry ``Deprecation``/``Sunset``/``Link``), and with the header, query
and media-type strategies collects the routes sharing a method and path into one table
``version -> endpoint``. Per request that is one extraction and one dict lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Receive, Scope, Send

from lexigram.http_errors import BadRequestError, HTTPError, NotFoundError

from .._config.versioning import VersioningConfig
from .._declare.metadata import mro_value
from .._declare.versioning import META_KEY, ApiVersionMetadata, declared_version
from .._http.context import RouteInfo
from .._http.response_defaults import ResponseDefaults
from .._pipeline.core import Endpoint
from .._pipeline.error_responder import send_problem
from .._routing.path_template import PathTemplate
from .._routing.router import RouteConflictError
from .extract import VersionExtractor, set_request_version

__all__ = ["VersionRouting", "route_version"]


def route_version(fn: Any, owner: type | None) -> ApiVersionMetadata | None:
    """The version of a handler: its own, else its controller's (nearest along the MRO)."""
    found = declared_version(fn)
    if found is None and owner is not None:
        value = mro_value(owner, META_KEY)
        found = value if isinstance(value, ApiVersionMetadata) else None
    return found


@dataclass(slots=True)
class _Group:
    method: str
    template: PathTemplate
    versions: dict[str, tuple[Endpoint, RouteInfo]] = field(
        default_factory=dict[str, tuple[Endpoint, RouteInfo]]
    )
    neutral: tuple[Endpoint, RouteInfo] | None = None


class VersionRouting:
    """The app's versioning at compile time (see the module docstring)."""

    def __init__(
        self,
        config: VersioningConfig,
        *,
        debug: bool = False,
        fail_on_conflict: bool = True,
        defaults: ResponseDefaults | None = None,
    ) -> None:
        self.config = config
        self.debug = debug
        self.defaults = defaults
        """The app's own headers on every answer (its refusals of a version carry them)."""
        self.fail_on_conflict = fail_on_conflict
        self.extractor = VersionExtractor(config)
        self.by_url = config.strategy == "url"
        self._groups: dict[tuple[str, str], _Group] = {}
        vary = {"header": config.header_name, "media_type": "Accept"}.get(config.strategy)
        self._vary = [(b"vary", vary.encode("latin-1"))] if vary else []

    # -- per route ---------------------------------------------------------------------------
    def prefix(self, meta: ApiVersionMetadata | None) -> str:
        """The URL prefix a route gets from its version (only with the URL strategy)."""
        if meta is None or not self.by_url:
            return ""
        return meta.prefix if meta.prefix is not None else self.config.url_prefix(meta.version)

    def wrap(self, endpoint: Endpoint, info: RouteInfo) -> Endpoint:
        """``endpoint`` recording its version and adding its headers; unchanged when the route
        has no version."""
        meta = info.version
        if meta is None:
            return endpoint
        number = meta.version
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in meta.response_headers()
        ] + self._vary
        if not extra:

            async def versioned(
                scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
            ) -> None:
                set_request_version(scope, number)
                await endpoint(scope, receive, send, params)

            return versioned

        async def with_headers(
            scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
        ) -> None:
            set_request_version(scope, number)

            async def sending(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message["headers"], *extra]}
                await send(message)

            await endpoint(scope, receive, sending, params)

        return with_headers

    def defer(self, info: RouteInfo, template: PathTemplate, endpoint: Endpoint) -> bool:
        """Keep the route for a version table (header/query/media strategies); ``False`` when
        the router should take it as is."""
        if self.by_url:
            return False
        key = (info.method, template.shape)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(info.method, template)
        meta = info.version
        if meta is None:
            if group.neutral is not None:
                self._conflict(info, group.neutral[1], "without a version")
            group.neutral = (endpoint, info)
        else:
            previous = group.versions.get(meta.version)
            if previous is not None:
                self._conflict(info, previous[1], f"for version {meta.version!r}")
            group.versions[meta.version] = (endpoint, info)
        return True

    def _conflict(self, info: RouteInfo, previous: RouteInfo, what: str) -> None:
        if self.fail_on_conflict:
            raise RouteConflictError(
                f"duplicate route {info.method} {info.path!r} {what} (already registered by"
                f" {previous.name!r}); remove one, give it another version, or set"
                " fail_on_route_conflict=False to let the last one win"
            )

    # -- after every route -------------------------------------------------------------------
    def tables(self) -> Iterator[tuple[str, PathTemplate, Endpoint, RouteInfo]]:
        """``(method, template, endpoint, info)`` for each collected path: the plain endpoint
        when no route of the path is versioned, else a dispatcher over its version table."""
        for group in self._groups.values():
            if not group.versions:
                assert group.neutral is not None
                endpoint, info = group.neutral
                yield group.method, group.template, endpoint, info
                continue
            dispatcher = self._dispatcher(group)
            first = next(iter(group.versions.values()))
            default = self.config.default_version
            shown = group.versions.get(default, first) if default is not None else first
            yield group.method, group.template, dispatcher, shown[1]
        self._groups.clear()

    def _dispatcher(self, group: _Group) -> Endpoint:
        table = {version: pair[0] for version, pair in group.versions.items()}
        neutral = group.neutral[0] if group.neutral is not None else None
        read = self.extractor.from_scope
        default = self.config.default_version
        available = sorted(table)
        status = self.config.unknown_version_status
        where = self.extractor.describe
        debug = self.debug
        vary = self._vary or None
        defaults = self.defaults

        async def dispatch(
            scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
        ) -> None:
            requested = read(scope)
            if requested is None:
                requested = default
            endpoint = table.get(requested) if requested is not None else None
            if endpoint is None:
                if neutral is None:
                    error = _version_error(requested, available, status, where)
                    if scope["type"] == "websocket":
                        await send({"type": "websocket.close", "code": 1008, "reason": ""})
                        return
                    extra = vary
                    if defaults is not None:
                        extra = [*defaults.seed(scope), *(vary or ())]
                    await send_problem(
                        send, error, scope=scope, status_map=None, debug=debug, extra=extra
                    )
                    return
                if requested is not None:
                    set_request_version(scope, requested)
                endpoint = neutral
            await endpoint(scope, receive, send, params)

        return dispatch


def _version_error(
    requested: str | None, available: list[str], status: int, where: str
) -> HTTPError:
    listed = ", ".join(available)
    error: HTTPError
    if requested is None:
        error = BadRequestError(
            f"this endpoint is versioned: name the API version in {where} (available: {listed})"
        )
    else:
        kind = NotFoundError if status == 404 else BadRequestError
        error = kind(
            f"API version {requested!r} is not available for this endpoint (available: {listed})"
        )
    error.extensions["available_versions"] = available
    return error
