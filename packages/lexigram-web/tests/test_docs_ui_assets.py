"""The docs pages (Swagger UI, ReDoc) and their assets, served by the app from the installed
``docs`` extra: content types, cache headers, no CDN, no way out of the asset list."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import pytest

from lexigram.web import LexigramApp, OpenAPIConfig, WebConfig
from lexigram.web.testing import AsyncTestClient

pytestmark = pytest.mark.extra("docs")


def make_app(**options: Any) -> LexigramApp:
    app = LexigramApp(**options)

    @app.get("/items")
    async def list_items() -> list[str]:
        return []

    return app


async def test_swagger_ui_page_loads_its_assets_from_the_app() -> None:
    async with AsyncTestClient(make_app(openapi={"title": "Shop <API>"})) as client:
        page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    html = page.text
    assert "<title>Shop &lt;API&gt; - Swagger UI</title>" in html
    assert 'data-openapi-url="/openapi.json"' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(source.startswith("/docs/assets/") for source in sources)
    assert "http" not in html


async def test_redoc_page_loads_its_bundle_from_the_app() -> None:
    async with AsyncTestClient(make_app()) as client:
        page = await client.get("/redoc")
    assert page.status_code == 200
    assert '<redoc spec-url="/openapi.json"></redoc>' in page.text
    assert '<script src="/redoc/assets/redoc.standalone.js"></script>' in page.text
    assert "http" not in page.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/docs/assets/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("/docs/assets/lexigram-init.js", "text/javascript; charset=utf-8"),
        ("/docs/assets/swagger-ui.css", "text/css; charset=utf-8"),
        ("/docs/assets/favicon-32x32.png", "image/png"),
        ("/redoc/assets/redoc.standalone.js", "text/javascript; charset=utf-8"),
        ("/redoc/assets/logo-mini.svg", "image/svg+xml"),
    ],
)
async def test_assets_have_their_content_type_and_cache_headers(
    path: str, content_type: str
) -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"].startswith('"')
    assert len(response.content) == int(response.headers["content-length"]) > 0


async def test_an_asset_is_revalidated_with_its_etag() -> None:
    async with AsyncTestClient(make_app()) as client:
        first = await client.get("/docs/assets/swagger-ui.css")
        again = await client.get(
            "/docs/assets/swagger-ui.css", headers={"if-none-match": first.headers["etag"]}
        )
        head = await client.head("/docs/assets/swagger-ui.css")
    assert again.status_code == 304
    assert again.content == b""
    assert head.status_code == 200
    assert head.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/docs/assets/index.html",
        "/docs/assets/../../__init__.py",
        "/docs/assets/..%2F__init__.py",
        "/docs/assets/%2e%2e/%2e%2e/__init__.py",
        "/docs/assets/swagger_ui/vendor/swagger-ui.css",
        "/docs/assets/",
        "/redoc/assets/swagger-ui.css",
        "/docs/assets//etc/passwd",
    ],
)
async def test_nothing_outside_the_asset_list_is_served(path: str) -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def get_under_root_path(app: LexigramApp, path: str, root: str) -> tuple[int, bytes]:
    """GET ``root + path`` as a server mounted at ``root`` sends it."""
    scope = {
        "type": "http", "method": "GET", "path": root + path, "raw_path": (root + path).encode(),
        "root_path": root, "query_string": b"", "headers": [], "http_version": "1.1",
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


async def test_pages_follow_the_configured_urls_and_the_root_path() -> None:
    config = WebConfig(
        root_path="/api",
        openapi=OpenAPIConfig(openapi_url="/spec.json", docs_url="/explore", redoc_url=None),
    )
    app = make_app(config=config)
    async with app.lifespan():
        status, page = await get_under_root_path(app, "/explore", "/api")
        redoc, _ = await get_under_root_path(app, "/redoc", "/api")
        asset, _ = await get_under_root_path(app, "/explore/assets/swagger-ui.css", "/api")
        assert app.openapi()["servers"] == [{"url": "/api"}]
    assert status == 200
    assert b'data-openapi-url="/api/spec.json"' in page
    assert b'src="/api/explore/assets/swagger-ui-bundle.js"' in page
    assert redoc == 404
    assert asset == 200


async def test_docs_false_serves_the_document_without_pages() -> None:
    async with AsyncTestClient(make_app(openapi={"docs": False})) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 200
