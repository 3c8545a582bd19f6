"""CQRSController over lexigram-cqrs buses built by the lexigram-di container, end to end."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from lexigram.cqrs import Command, Query, command_handler, query_handler
from lexigram.cqrs.di import CQRSModule
from lexigram.di import scoped, singleton
from lexigram.http_errors.domain import NotFoundError
from lexigram.result import Err, Ok, Result
from lexigram.web import CQRSController, LexigramApp, get, post
from lexigram.web.testing import TestClient


@singleton
class NoteStore:
    def __init__(self) -> None:
        self.notes: dict[int, str] = {}
        self.audit_sizes: list[int] = []


@scoped
class AuditTrail:
    """A scoped service: one per dispatched message."""

    def __init__(self) -> None:
        self.entries: list[str] = []


@dataclass(frozen=True)
class AddNote(Command[int]):
    text: str


@dataclass(frozen=True)
class GetNote(Query[Result[str, NotFoundError]]):
    note_id: int


@command_handler(AddNote)
class AddNoteHandler:
    def __init__(self, store: NoteStore, audit: AuditTrail) -> None:
        self.store = store
        self.audit = audit

    async def handle(self, command: AddNote) -> int:
        note_id = len(self.store.notes) + 1
        self.store.notes[note_id] = command.text
        self.audit.entries.append(f"added {note_id}")
        self.store.audit_sizes.append(len(self.audit.entries))
        return note_id


@query_handler(GetNote)
class GetNoteHandler:
    def __init__(self, store: NoteStore) -> None:
        self.store = store

    async def handle(self, query: GetNote) -> Result[str, NotFoundError]:
        text = self.store.notes.get(query.note_id)
        if text is None:
            return Err(NotFoundError(resource="Note", identifier=query.note_id))
        return Ok(text)


class NoteIn(BaseModel):
    text: str


class NotesController(CQRSController):
    prefix = "/notes"

    @post("/", status_code=201)
    async def add(self, note: NoteIn) -> dict[str, int]:
        return {"id": await self.dispatch_command(AddNote(note.text))}

    @get("/{note_id:int}")
    async def read(self, note_id: int) -> Result[str, NotFoundError]:
        result: Result[str, NotFoundError] = await self.dispatch_query(GetNote(note_id))
        return result


def make_app() -> LexigramApp:
    module = CQRSModule.configure(handlers=[AddNoteHandler, GetNoteHandler])
    app = LexigramApp(controllers=[NotesController], modules=[module])
    app.singleton(NoteStore)
    app.scoped(AuditTrail)
    return app


def test_command_dispatched_from_a_controller_returns_its_result() -> None:
    with TestClient(make_app()) as client:
        created = client.post("/notes/", json={"text": "buy milk"})
        assert created.status_code == 201
        assert created.json() == {"id": 1}
        assert client.get("/notes/1").json() == "buy milk"


def test_query_returning_err_maps_to_a_not_found_problem() -> None:
    with TestClient(make_app()) as client:
        missing = client.get("/notes/99")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404


async def test_controller_without_a_bus_names_the_missing_bus() -> None:
    controller = NotesController()
    with pytest.raises(RuntimeError, match="no command bus"):
        await controller.dispatch_command(AddNote("x"))
    with pytest.raises(RuntimeError, match="no query bus"):
        await controller.dispatch_query(GetNote(1))


def test_scoped_handler_dependencies_are_fresh_per_dispatch() -> None:
    app = make_app()
    with TestClient(app) as client:
        client.post("/notes/", json={"text": "a"})
        client.post("/notes/", json={"text": "b"})
        store = app.container.resolve(NoteStore)
    assert store.notes == {1: "a", 2: "b"}
    assert store.audit_sizes == [1, 1]  # a new AuditTrail for each dispatched command
