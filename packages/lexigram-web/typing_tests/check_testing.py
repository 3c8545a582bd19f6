"""Type-checked, never run: the test clients' responses are typed, not ``Any``.

``TestClient`` is Starlette's (it answers ``httpx2`` responses, which the ``testing`` extra
installs); ``AsyncTestClient`` is an ``httpx.AsyncClient``.
"""

from typing import assert_type

import httpx
import httpx2

from lexigram.web import LexigramApp
from lexigram.web.testing import AsyncTestClient, TestClient


def check_sync(app: LexigramApp) -> None:
    with TestClient(app) as client:
        response = client.get("/items", params={"page": 1})
        assert_type(response, httpx2.Response)
        assert_type(response.status_code, int)
        assert_type(response.headers["content-type"], str)
        assert_type(client.post("/items", json={"name": "a"}), httpx2.Response)
        client.get(1)  # type: ignore[arg-type]


async def check_async(app: LexigramApp) -> None:
    async with AsyncTestClient(app) as client:
        response = await client.get("/items")
        assert_type(response, httpx.Response)
        assert_type(response.status_code, int)
        assert_type(client.lexigram_app, LexigramApp)
