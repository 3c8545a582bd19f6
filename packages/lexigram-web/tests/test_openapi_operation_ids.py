"""Same-named handlers get unique, numbered operation ids (assigned in one linear pass)."""

from __future__ import annotations

from lexigram.web import LexigramApp
from lexigram.web.testing import TestClient


def _app_with_same_named_handlers(count: int) -> LexigramApp:
    app = LexigramApp()
    for i in range(count):

        async def handler(id: int) -> dict[str, int]:
            return {"id": id}

        app.get(f"/r{i}/{{id:int}}")(handler)
    return app


def test_same_named_handlers_get_unique_numbered_ids() -> None:
    with TestClient(_app_with_same_named_handlers(4)) as client:
        document = client.get("/openapi.json").json()
    ids = [document["paths"][f"/r{i}/{{id}}"]["get"]["operationId"] for i in range(4)]
    assert ids == ["handler", "handler_get", "handler_get_2", "handler_get_3"]
