"""Serving the OpenAPI document and the docs pages from an app.

``OpenAPISite.create(config, option)`` decides, when the app starts, what is served: the
document at ``openapi_url`` (unless disabled) and the docs pages (see ``OpenAPIConfig.docs``).
They are built-in routes of the app: static paths answered before any application route
pipeline (no guards, interceptors or rate limits: disable them where the API must stay
private), not listed in the route registry nor in the document; an application route on the
same path wins. Once the app's routes are compiled, ``publish()`` builds the document (once)
and keeps its JSON bytes for every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .._config.web_config import OpenAPIConfig
from .._declare.errors import ConfigurationError
from .._http.context import RouteInfo
from .._pipeline.core import Endpoint
from ._docs import (
    DOCS_INSTALL_HINT,
    REDOC,
    SWAGGER_UI,
    AssetStore,
    UIKind,
    bundle_installed,
    etag_matches,
    page_html,
)
from ._document import openapi_json

__all__ = ["OpenAPIOption", "OpenAPISite", "resolve_openapi_config"]

OpenAPIOption = OpenAPIConfig | Mapping[str, Any] | bool | None
_MAX_ROOT_PATHS = 16


def resolve_openapi_config(config: Any, option: OpenAPIOption) -> OpenAPIConfig:
    """The ``OpenAPIConfig`` of an app: the config object's ``openapi`` section, then the
    ``openapi=`` argument (``False`` disables, a mapping updates, an ``OpenAPIConfig``
    replaces)."""
    section: Any = getattr(config, "openapi", None) if config is not None else None
    if isinstance(section, OpenAPIConfig):
        base = section
    elif isinstance(section, Mapping):
        base = OpenAPIConfig.model_validate(section)
    else:
        base = OpenAPIConfig()
    if option is None or option is True:
        return base
    if option is False:
        return base.model_copy(update={"enabled": False})
    if isinstance(option, OpenAPIConfig):
        return option
    if not isinstance(option, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"openapi= takes True/False, an OpenAPIConfig or a mapping of its settings,"
            f" got {option!r}"
        )
    return OpenAPIConfig.model_validate({**base.model_dump(), **dict(option)})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _asset_endpoint(store: AssetStore, name: str) -> Endpoint:
    async def asset(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        response = store.response(name, _header(scope, b"if-none-match"))
        assert response is not None
        await response(scope, receive, send)

    return asset


def _head(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` answering HEAD: same status and headers, no body."""

    async def head(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        async def send_headers(message: Any) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await endpoint(scope, receive, send_headers, params)

    return head


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


class OpenAPISite:
    """The OpenAPI document of one app and the routes serving it."""

    def __init__(self, config: OpenAPIConfig, pages: Sequence[tuple[str, UIKind]]) -> None:
        self.config = config
        self.pages = list(pages)
        self._routes: list[RouteInfo] = []
        self._validation_status = 422
        self._app_guards: Sequence[Any] = ()
        self._root_path = ""
        self._body_limited = True
        self._versioning: Any = None
        self._document: dict[str, Any] | None = None
        self._json: bytes | None = None
        self._etag = ""

    @classmethod
    def create(cls, config: OpenAPIConfig) -> OpenAPISite:
        """Decide what to serve; docs asked for explicitly without the extra fail now."""
        wanted = [
            (url, kind)
            for url, kind in ((config.docs_url, SWAGGER_UI), (config.redoc_url, REDOC))
            if url is not None
        ]
        if config.docs is True:
            if not config.enabled:
                raise ConfigurationError(
                    "openapi.docs is true but openapi.enabled is false: the docs pages read the"
                    " OpenAPI document; enable it or set openapi.docs to false"
                )
            if not bundle_installed():
                raise ConfigurationError(
                    f"openapi.docs is true but the docs pages' assets are not installed:"
                    f" {DOCS_INSTALL_HINT} (or set openapi.docs to false)"
                )
        serve_docs = config.enabled and config.docs is not False and bundle_installed()
        return cls(config, wanted if serve_docs else [])

    # -- endpoints -------------------------------------------------------------------------
    def endpoints(self) -> list[tuple[str, str, Endpoint]]:
        """``(method, static path, endpoint)`` for everything served (none when disabled)."""
        if not self.config.enabled:
            return []
        found: list[tuple[str, str, Endpoint]] = [
            ("GET", self.config.openapi_url, self._document_endpoint)
        ]
        for url, kind in self.pages:
            found.extend(self._page_endpoints(url, kind))
        return [*found, *(("HEAD", path, _head(endpoint)) for _, path, endpoint in found)]

    async def _document_endpoint(
        self, scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
    ) -> None:
        data = self.json_bytes()
        etag = self._etag
        headers = {"cache-control": "no-cache", "etag": etag}
        if etag_matches(_header(scope, b"if-none-match"), etag):
            response = Response(status_code=304, headers=headers)
        else:
            response = Response(data, media_type="application/json", headers=headers)
        await response(scope, receive, send)

    def _page_endpoints(self, url: str, kind: UIKind) -> list[tuple[str, str, Endpoint]]:
        store = AssetStore(kind)
        title = self.config.title
        openapi_url = self.config.openapi_url
        assets_path = url.rstrip("/") + "/assets"
        pages: dict[str, bytes] = {}

        def page_for(prefix: str) -> bytes:
            page = pages.get(prefix)
            if page is None:
                page = page_html(
                    kind, title=title, assets_url=prefix + assets_path,
                    openapi_url=prefix + openapi_url,
                )  # fmt: skip
                if len(pages) < _MAX_ROOT_PATHS:
                    pages[prefix] = page
            return page

        async def page_endpoint(
            scope: Scope, receive: Receive, send: Send, params: dict[str, Any]
        ) -> None:
            response = Response(
                page_for(str(scope.get("root_path") or "")),
                media_type="text/html",
                headers={"cache-control": "no-cache", "x-content-type-options": "nosniff"},
            )
            await response(scope, receive, send)

        found: list[tuple[str, str, Endpoint]] = [("GET", url, page_endpoint)]
        for name in store.names:
            found.append(("GET", f"{assets_path}/{name}", _asset_endpoint(store, name)))
        return found

    # -- the document ----------------------------------------------------------------------
    @property
    def etag(self) -> str:
        """The ``ETag`` of the document's JSON (empty before it is built)."""
        return self._etag

    def publish(
        self,
        routes: Iterable[RouteInfo],
        *,
        validation_status: int,
        app_guards: Sequence[Any],
        root_path: str,
        versioning: Any = None,
        body_limited: bool = True,
    ) -> None:
        """Record the compiled routes; build the document now when it is served (so a bad
        route fails the startup)."""
        self._routes = list(routes)
        self._body_limited = body_limited
        self._validation_status = validation_status
        self._app_guards = tuple(app_guards)
        self._root_path = root_path
        self._versioning = versioning
        self._document = None
        self._json = None
        if self.config.enabled:
            self.json_bytes()

    def document(self) -> dict[str, Any]:
        """The OpenAPI document (read back from its JSON on first use, then kept)."""
        document = self._document
        if document is None:
            document = self._document = orjson.loads(self.json_bytes())
        return document

    def json_bytes(self) -> bytes:
        """The document as JSON bytes (built and encoded once, without keeping the tree it
        was encoded from: thousands of routes make a large one)."""
        data = self._json
        if data is None:
            data = self._json = openapi_json(
                self._routes,
                self.config,
                validation_status=self._validation_status,
                app_guards=self._app_guards,
                root_path=self._root_path,
                versioning=self._versioning,
                body_limited=self._body_limited,
            )
            self._etag = _etag(data)
        return data
