"""The interactive docs pages (Swagger UI and ReDoc), served offline from the installed
``openapi-ui-bundles`` package (the ``docs`` extra), never from a CDN.

Each page is a small HTML document pointing at its own asset route
(``<page url>/assets/<file>``). Assets come from a list of the bundle's files made at startup:
a name not in that list is a 404, so no request can reach any other file. Assets carry their
content type, ``X-Content-Type-Options: nosniff``, a one-day ``Cache-Control`` and an ``ETag``
(a matching ``If-None-Match`` answers 304).
"""

from __future__ import annotations

import hashlib
import html
import importlib
import importlib.metadata
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.responses import Response

__all__ = [
    "ASSET_CACHE_CONTROL",
    "DOCS_INSTALL_HINT",
    "REDOC",
    "SWAGGER_UI",
    "AssetStore",
    "UIKind",
    "bundle_installed",
    "etag_matches",
    "page_html",
]

DOCS_INSTALL_HINT = 'pip install "lexigram-web[docs]"'
_PACKAGE = "openapi_ui_bundles"
_DISTRIBUTION = "openapi-ui-bundles"
ASSET_CACHE_CONTROL = "public, max-age=86400"
_CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}

SWAGGER_INIT = """\
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""

_SWAGGER_PAGE = _PAGE.format(
    head="""<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">""",
    body="""<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/lexigram-init.js"></script>""",
)

_REDOC_PAGE = _PAGE.format(
    head='<link rel="icon" type="image/svg+xml" href="{assets}/logo-mini.svg">',
    body="""<redoc spec-url="{openapi_url}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>""",
)


@dataclass(frozen=True, slots=True)
class UIKind:
    """One docs UI: its display name, bundle submodule, page template, generated assets."""

    name: str
    module: str
    template: str
    generated: dict[str, str] = field(default_factory=dict[str, str])


SWAGGER_UI = UIKind(
    "Swagger UI", f"{_PACKAGE}.swagger_ui", _SWAGGER_PAGE, {"lexigram-init.js": SWAGGER_INIT}
)
REDOC = UIKind("ReDoc", f"{_PACKAGE}.redoc", _REDOC_PAGE)


def bundle_installed() -> bool:
    """Whether the ``docs`` extra (``openapi-ui-bundles``) is importable."""
    return importlib.util.find_spec(_PACKAGE) is not None


def page_html(kind: UIKind, *, title: str, assets_url: str, openapi_url: str) -> bytes:
    """The HTML page of ``kind`` (every inserted value escaped)."""
    return kind.template.format(
        title=html.escape(f"{title} - {kind.name}"),
        assets=html.escape(assets_url, quote=True),
        openapi_url=html.escape(openapi_url, quote=True),
    ).encode()


def _etag(*parts: object) -> str:
    digest = hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()
    return f'"{digest[:20]}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` value matches ``etag`` (``*``, lists, weak tags)."""
    if not header:
        return False
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class AssetStore:
    """The files of one bundle, listed once; contents read on first use, then kept."""

    def __init__(self, kind: UIKind) -> None:
        module: Any = importlib.import_module(kind.module)
        root = Path(module.static_path)
        try:
            version = importlib.metadata.version(_DISTRIBUTION)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
        self._files: dict[str, tuple[Path | None, str]] = {}
        for path in sorted(root.iterdir()):
            content_type = _CONTENT_TYPES.get(path.suffix)
            if content_type is not None and path.is_file() and not path.is_symlink():
                self._files[path.name] = (path, content_type)
        self._generated = dict(kind.generated)
        for name in self._generated:
            self._files[name] = (None, _CONTENT_TYPES[Path(name).suffix])
        self._version = version
        self._cache: dict[str, tuple[bytes, str, str]] = {}

    @property
    def names(self) -> list[str]:
        return sorted(self._files)

    def _load(self, name: str) -> tuple[bytes, str, str] | None:
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        entry = self._files.get(name)
        if entry is None:
            return None
        path, content_type = entry
        data = self._generated[name].encode() if path is None else path.read_bytes()
        loaded = (data, content_type, _etag(self._version, name, len(data), data[:64]))
        self._cache[name] = loaded
        return loaded

    def response(self, name: str, if_none_match: str | None) -> Response | None:
        """The asset named ``name`` (``None`` when there is no such asset)."""
        loaded = self._load(name)
        if loaded is None:
            return None
        data, content_type, etag = loaded
        headers = {
            "cache-control": ASSET_CACHE_CONTROL,
            "etag": etag,
            "x-content-type-options": "nosniff",
        }
        if etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        return Response(data, media_type=content_type, headers=headers)
