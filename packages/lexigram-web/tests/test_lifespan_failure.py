"""A failing startup is reported to the server and raised: nothing waits on a dead lifespan."""

from __future__ import annotations

import pytest

from lexigram.di import MissingDependencyError
from lexigram.web import LexigramApp
from lexigram.web.testing import TestClient


class Repository:
    pass


class Service:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository


def broken_app() -> LexigramApp:
    app = LexigramApp()
    app.singleton(Service)  # Repository is never registered

    @app.get("/")
    async def index(service: Service) -> dict[str, bool]:
        return {"ok": True}

    return app


def test_test_client_raises_the_startup_error_instead_of_hanging() -> None:
    with pytest.raises(MissingDependencyError, match="Repository"), TestClient(broken_app()):
        pass
