"""Bad input never yields a traceback, internal text or a hang: every answer is a problem."""

from typing import Any

import pytest
from _asgi import send_request

from lexigram.web import LexigramApp
from lexigram.web.testing import AsyncTestClient


def make_app(**options: Any) -> LexigramApp:
    app = LexigramApp(**options)

    @app.get("/users/{id:int}")
    async def user(id: int, q: str = "") -> dict[str, Any]:
        return {"id": id, "q": q}

    @app.put("/users/{id:int}")
    async def replace(id: int) -> None:
        return None

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    return app


async def test_unknown_path_is_a_404_problem() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/nope",
        "request_id": response.headers["x-request-id"],
    }


async def test_wrong_method_is_a_405_with_allow() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.delete("/users/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PUT"
    assert response.json()["status"] == 405


async def test_invalid_utf8_in_the_path_is_a_400() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/users/%ff%fe")
    assert response.status_code == 400
    assert response.json()["detail"] == "request path is not valid UTF-8"


async def test_invalid_utf8_in_the_query_is_a_400() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/users/1?q=%ff")
    assert response.status_code == 400
    assert response.json()["detail"] == "query string is not valid UTF-8"


async def test_handler_exception_is_a_generic_500_problem() -> None:
    async with AsyncTestClient(make_app()) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["title"] == "Internal Server Error"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text


async def test_debug_500_carries_the_exception() -> None:
    async with AsyncTestClient(make_app(debug=True)) as client:
        response = await client.get("/boom")
    body = response.json()
    assert response.status_code == 500
    assert "RuntimeError" in body["exception"]


async def test_handler_exception_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async with AsyncTestClient(make_app()) as client:
        await client.get("/boom")
    assert any(
        record.exc_info and "hunter2" in str(record.exc_info[1]) for record in caplog.records
    )


async def test_client_disconnect_while_reading_does_not_hang() -> None:
    app = LexigramApp()

    @app.post("/echo")
    async def echo(data: dict[str, Any]) -> dict[str, Any]:
        return data

    messages = iter([{"type": "http.disconnect"}])

    async def receive() -> Any:
        return next(messages)

    sent = await send_request(app, "/echo", receive, [(b"content-type", b"application/json")])
    assert sent == []
