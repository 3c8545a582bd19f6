"""Small HTTP edges: ``HEAD`` on the health probes, ``Vary`` on version errors, and a plain
HTTP request to a WebSocket-only path (426 Upgrade Required)."""

from typing import Any, Literal

import pytest
from test_versioning_dispatch import ItemsV1, ItemsV2

from lexigram.web import LexigramApp, VersioningConfig, WebSocket
from lexigram.web.testing import AsyncTestClient


@pytest.mark.parametrize("path", ["/health", "/health/live", "/health/ready"])
async def test_head_on_a_health_probe_answers_like_get_without_a_body(path: str) -> None:
    async with AsyncTestClient(LexigramApp()) as client:
        got = await client.get(path)
        head = await client.head(path)
    assert head.status_code == got.status_code
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""


@pytest.mark.parametrize(
    ("strategy", "vary", "headers"),
    [
        ("header", "X-API-Version", {"X-API-Version": "9"}),
        ("header", "X-API-Version", {}),
        ("media_type", "Accept", {"Accept": "application/json; version=9"}),
    ],
)
async def test_a_version_error_varies_like_a_versioned_success(
    strategy: Literal["header", "media_type"], vary: str, headers: dict[str, str]
) -> None:
    app = LexigramApp(controllers=[ItemsV1, ItemsV2], versioning=VersioningConfig(
        strategy=strategy))  # fmt: skip
    async with AsyncTestClient(app) as client:
        response = await client.get("/items", headers=headers)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["vary"] == vary


def _ws_app() -> LexigramApp:
    app = LexigramApp()

    @app.websocket("/live")
    async def live(websocket: WebSocket) -> None:
        await websocket.accept()

    @app.websocket("/mixed")
    async def mixed_socket(websocket: WebSocket) -> None:
        await websocket.accept()

    @app.get("/mixed")
    async def mixed_page() -> dict[str, Any]:
        return {}

    return app


async def test_a_plain_get_on_a_websocket_path_is_426_upgrade_required() -> None:
    async with AsyncTestClient(_ws_app()) as client:
        response = await client.get("/live")
    assert response.status_code == 426
    assert response.headers["upgrade"] == "websocket"
    assert response.headers["content-type"] == "application/problem+json"
    assert "allow" not in response.headers


async def test_the_allow_header_never_lists_websocket() -> None:
    async with AsyncTestClient(_ws_app()) as client:
        response = await client.post("/mixed")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
