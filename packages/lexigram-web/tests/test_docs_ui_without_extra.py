"""Without the ``docs`` extra the pages are left out by default, and asked for explicitly they
fail the startup naming the extra."""

from __future__ import annotations

import sys

import pytest

from lexigram.web import ConfigurationError, LexigramApp
from lexigram.web.testing import AsyncTestClient


@pytest.fixture
def no_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openapi_ui_bundles", None)


def make_app(**options: object) -> LexigramApp:
    app = LexigramApp(**options)  # type: ignore[arg-type]

    @app.get("/items")
    async def list_items() -> list[str]:
        return []

    return app


@pytest.mark.usefixtures("no_bundle")
async def test_by_default_the_pages_are_left_out_and_the_document_is_served() -> None:
    async with AsyncTestClient(make_app()) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 200


@pytest.mark.usefixtures("no_bundle")
async def test_docs_enabled_explicitly_fail_at_startup_with_the_install_hint() -> None:
    app = make_app(openapi={"docs": True})
    with pytest.raises(ConfigurationError, match=r'pip install "lexigram-web\[docs\]"'):
        await app.startup()


async def test_docs_enabled_with_the_document_disabled_is_a_startup_error() -> None:
    app = make_app(openapi={"docs": True, "enabled": False})
    with pytest.raises(ConfigurationError, match=r"openapi\.enabled is false"):
        await app.startup()
