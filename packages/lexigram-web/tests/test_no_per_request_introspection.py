"""Everything decidable at startup is decided at startup: requests never inspect signatures,
resolve type hints, build adapters, compile routes or rebuild the middleware stack."""

import inspect
import typing
from typing import Any

import pydantic
import pytest
from pydantic import BaseModel

from lexigram.web import (
    CallHandlerProtocol,
    Controller,
    LexigramApp,
    ParseIntPipe,
    Router,
    _app_middleware,
    _compile,
    _startup,
    get,
    guard,
    post,
    query,
    use_interceptors,
)
from lexigram.web._binding import _body
from lexigram.web._binding import validation as _validation
from lexigram.web._pipeline import endpoint as _endpoint
from lexigram.web._routing import router as _router
from lexigram.web.testing import AsyncTestClient


class Payload(BaseModel):
    name: str


class Session:
    pass


class Allow:
    async def can_activate(self, context: Any) -> bool:
        return True


class Around:
    async def intercept(self, context: Any, next_handler: CallHandlerProtocol) -> Any:
        return await next_handler.handle()


@guard(Allow())
@use_interceptors(Around())
class Things(Controller):
    prefix = "/things"

    def __init__(self, session: Session) -> None:
        self.session = session

    @get("/{id:int}")
    async def one(
        self, id: int, q: str, n: int = query(default="1", pipes=[ParseIntPipe()])
    ) -> dict[str, Any]:
        return {"id": id, "q": q, "n": n}

    @post("/", status_code=201, response_model=Payload)
    async def create(self, payload: Payload) -> Payload:
        return payload

    @get("/fail")
    async def fail(self) -> None:
        raise ValueError("x")


def _forbid(*_: Any, **__: Any) -> Any:
    raise AssertionError("called while serving a request")


async def test_requests_never_introspect_or_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    app = LexigramApp(controllers=[Things])
    app.scoped(Session)

    @app.get("/plain")
    async def plain() -> dict[str, int]:
        return {"a": 1}

    async with AsyncTestClient(app) as client:
        monkeypatch.setattr(inspect, "signature", _forbid)
        monkeypatch.setattr(typing, "get_type_hints", _forbid)
        monkeypatch.setattr(pydantic, "TypeAdapter", _forbid)
        for module in (_validation, _body):
            monkeypatch.setattr(module, "TypeAdapter", _forbid)
        monkeypatch.setattr(Router, "add", _forbid)
        monkeypatch.setattr(_router, "parse_template", _forbid)
        monkeypatch.setattr(_compile, "compile_binding", _forbid)
        monkeypatch.setattr(_compile, "build_endpoint", _forbid)
        monkeypatch.setattr(_endpoint, "build_endpoint", _forbid)
        monkeypatch.setattr(_compile, "build_endpoints", _forbid)
        monkeypatch.setattr(_endpoint, "build_endpoints", _forbid)
        monkeypatch.setattr(_startup, "compile_app", _forbid)
        monkeypatch.setattr(_app_middleware, "apply_middleware", _forbid)
        monkeypatch.setattr(_startup, "apply_middleware", _forbid)
        monkeypatch.setattr(_startup, "dispatcher", _forbid)
        monkeypatch.setattr(_startup, "fold", _forbid)
        answers = [
            (await client.get("/things/3?q=x&n=4")).status_code,
            (await client.post("/things/", json={"name": "a"})).status_code,
            (await client.get("/things/3")).status_code,
            (await client.get("/things/fail")).status_code,
            (await client.get("/plain")).status_code,
            (await client.head("/plain")).status_code,
            (await client.get("/missing")).status_code,
            (await client.delete("/plain")).status_code,
        ]
    assert answers == [200, 201, 422, 500, 200, 200, 404, 405]
