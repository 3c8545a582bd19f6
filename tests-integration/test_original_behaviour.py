"""Behaviour an application written for the original Lexigram relies on, across packages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from lexigram.ratelimit.di import RateLimitModule
from lexigram.result import Err, Ok, Result, from_exception
from lexigram.web import (
    ConfigurationError,
    DefaultMiddlewareStack,
    GenericController,
    LexigramApp,
    NotFoundError,
    WebConfig,
    WebModule,
    get,
    throttle,
)
from lexigram.web.middleware import BodySizeLimitMiddleware
from lexigram.web.testing import TestClient


async def test_an_invalid_throttle_rate_is_reported_once_at_startup() -> None:
    app = LexigramApp(modules=[RateLimitModule.configure()])

    @app.get("/search")
    @throttle("often")
    async def search() -> list[str]:
        return []

    with pytest.raises(ConfigurationError) as caught:
        await app.startup()
    message = str(caught.value)
    assert message.count("invalid rate") == 1, message
    assert "'often'" in message and "e.g. '30/minute'" in message


class Note(BaseModel):
    id: int | None = None
    text: str
    tag: str = ""


class NoteService:
    def __init__(self) -> None:
        self.notes = [Note(id=1, text="a", tag="x"), Note(id=2, text="b", tag="y")]

    async def list(
        self, limit: int, offset: int, **filters: str
    ) -> Result[tuple[list[Note], int], Exception]:
        found = [n for n in self.notes if all(getattr(n, k) == v for k, v in filters.items())]
        return Ok((found[offset : offset + limit], len(found)))

    async def get(self, item_id: int) -> Result[Note, Exception]:
        try:
            return Ok(self.notes[item_id - 1])
        except IndexError as exc:
            return from_exception(NotFoundError(f"note {item_id} not found", exc), Note)

    async def create(self, data: Note) -> Result[Note, Exception]:
        note = data.model_copy(update={"id": len(self.notes) + 1})
        self.notes.append(note)
        return Ok(note)

    async def update(self, item_id: int, data: Note) -> Result[Note, Exception]:
        return Err(NotFoundError("read only"))

    async def delete(self, item_id: int) -> Result[None, Exception]:
        return Ok(None)


class NoteController(GenericController[Note]):
    prefix = "/notes"
    id_type = int
    filter_fields = ("tag",)

    def __init__(self, service: NoteService) -> None:
        super().__init__(service)


def test_generic_controller_filters_and_results_work_with_lexigram_result() -> None:
    app = LexigramApp(controllers=[NoteController])
    app.container.singleton(NoteService)
    with TestClient(app) as client:
        tagged = client.get("/notes", params={"tag": "y"}).json()
        missing = client.get("/notes/9")
    assert [note["text"] for note in tagged["items"]] == ["b"]
    assert (missing.status_code, missing.json()["detail"]) == (404, "note 9 not found")


async def test_a_direct_create_with_a_dict_returns_the_created_item() -> None:
    controller = NoteController(NoteService())
    created: Any = await controller.create_item({"text": "c", "tag": "z"})
    assert (created.id, created.tag) == (3, "z")


def test_the_middleware_stack_reads_the_config_a_web_module_registered() -> None:
    config = WebConfig(max_body_size=None)
    app = LexigramApp(modules=[WebModule.configure(web_config=config)])

    @app.get("/ok")
    async def ok() -> str:
        return "ok"

    with TestClient(app) as client:
        assert client.get("/ok").json() == "ok"
        stack = DefaultMiddlewareStack(container=app.container)
    classes: list[object] = [entry.cls for entry in stack.build()]
    assert stack.config is config
    assert BodySizeLimitMiddleware not in classes


class Item(BaseModel):
    name: str


def test_a_handler_returning_from_exception_answers_a_problem() -> None:
    app = LexigramApp(error_statuses={KeyError: 404})

    @get("/items/{key}")
    async def item(key: str) -> Result[Item, BaseException]:
        try:
            return Ok(Item(name={"lamp": "Lamp"}[key]))
        except KeyError as exc:
            return from_exception(exc, Item)

    app.add_route(item)
    with TestClient(app) as client:
        assert client.get("/items/lamp").json() == {"name": "Lamp"}
        assert client.get("/items/desk").status_code == 404
