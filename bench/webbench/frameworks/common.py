"""What every framework's apps share: the pydantic model and the pipeline's services."""

from __future__ import annotations

from pydantic import BaseModel


class Item(BaseModel):
    name: str
    price: float
    tags: list[str]
    stock: int


class Database:
    """An app-lifetime service (a singleton in every framework)."""

    def owner_of(self, id: int) -> str:
        return f"repo-{id}"


class Repository:
    """A request-scoped service: one per request, built on the singleton ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def owner(self, id: int) -> str:
        return self.db.owner_of(id)


def item_not_found(id: int) -> str:
    return f"item {id} not found"
