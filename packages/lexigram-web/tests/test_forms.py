"""Form fields and file uploads (needs the multipart extra)."""

from typing import Any

import pytest
from starlette.datastructures import UploadFile

from lexigram.web import LexigramApp, file, form
from lexigram.web.testing import AsyncTestClient

pytestmark = pytest.mark.extra("multipart")


async def test_form_fields_are_bound() -> None:
    app = LexigramApp()

    @app.post("/login")
    async def login(username: str = form(), remember: bool = form(default=False)) -> list[Any]:
        return [username, remember]

    async with AsyncTestClient(app) as client:
        response = await client.post("/login", data={"username": "ann", "remember": "true"})
    assert response.json() == ["ann", True]


async def test_missing_form_field_is_a_422() -> None:
    app = LexigramApp()

    @app.post("/login")
    async def login(username: str = form()) -> str:
        return username

    async with AsyncTestClient(app) as client:
        response = await client.post("/login", data={"other": "x"})
    assert response.json()["errors"][0]["loc"] == ["form", "username"]


async def test_uploaded_file_is_bound_as_upload_or_bytes() -> None:
    app = LexigramApp()

    @app.post("/files")
    async def upload(document: UploadFile = file(), raw: bytes = file()) -> list[Any]:  # noqa: B008
        return [document.filename, (await document.read()).decode(), raw.decode()]

    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/files",
            files={"document": ("a.txt", b"hello", "text/plain"), "raw": ("b.bin", b"data")},
        )
    assert response.json() == ["a.txt", "hello", "data"]
