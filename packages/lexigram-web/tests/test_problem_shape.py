"""Every problem the framework renders has the same members, whichever path produced it."""

from typing import Any

import httpx

from lexigram.http_errors.domain import ConflictError as DomainConflict
from lexigram.web import LexigramApp, Response, ResultResponseMapper
from lexigram.web._config.web_config import WebConfig
from lexigram.web.testing import AsyncTestClient


class Err:
    def __init__(self, error: Any) -> None:
        self.error = error

    def is_ok(self) -> bool:
        return False

    def unwrap(self) -> Any:
        raise ValueError("err has no value")

    def unwrap_err(self) -> Any:
        return self.error


def _app() -> LexigramApp:
    config = WebConfig(max_body_size=4)
    app = LexigramApp(config=config)

    @app.post("/raised")
    async def raised() -> None:
        raise DomainConflict("taken")

    @app.post("/returned")
    async def returned() -> Err:
        return Err(DomainConflict("taken"))

    @app.post("/mapped")
    async def mapped() -> Response:
        return ResultResponseMapper().to_response(Err(DomainConflict("taken")))

    return app


async def _post(app: LexigramApp, path: str, content: bytes = b"") -> Any:
    async with AsyncTestClient(app) as client:
        return await client.post(path, content=content, headers={"X-Request-ID": "req-1"})


async def test_an_err_result_renders_the_same_members_as_a_raised_error() -> None:
    app = _app()
    raised = (await _post(app, "/raised")).json()
    returned = (await _post(app, "/returned")).json()
    assert raised == {**returned, "instance": "/raised"}
    assert (returned["instance"], returned["request_id"]) == ("/returned", "req-1")


async def test_a_result_response_mapper_response_carries_instance_and_request_id() -> None:
    response = await _post(_app(), "/mapped")
    problem = response.json()
    assert (response.status_code, problem["instance"], problem["request_id"]) == (
        409,
        "/mapped",
        "req-1",
    )
    assert response.headers["content-length"] == str(len(response.content))


async def test_middleware_and_handler_problems_share_the_instance_under_a_root_path() -> None:
    app = _app()
    transport = httpx.ASGITransport(app=app, root_path="/api")
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        raised = await client.post("/api/raised")
        too_large = await client.post("/api/raised", content=b"0123456789")
    assert (raised.status_code, too_large.status_code) == (409, 413)
    assert raised.json()["instance"] == too_large.json()["instance"] == "/api/raised"
