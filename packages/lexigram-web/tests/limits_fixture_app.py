"""A LexigramApp reading a JSON body, served by the connection-limit tests
(``lexigram run limits_fixture_app:app``); ``$FIXTURE_BODY_TIMEOUT`` sets its body timeout."""

from __future__ import annotations

import os

from pydantic import BaseModel

from lexigram.web import LexigramApp, WebConfig


class Item(BaseModel):
    name: str


app = LexigramApp(
    config=WebConfig(body_timeout=float(os.environ.get("FIXTURE_BODY_TIMEOUT", "30")))
)


@app.post("/items")
async def create(item: Item) -> Item:
    return item
