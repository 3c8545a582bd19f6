"""How failures are logged: an unexpected exception at ERROR with its traceback, a 5xx the
app raised on purpose (an ``HTTPError``) at WARNING without one."""

import logging

import pytest
from starlette.websockets import WebSocketDisconnect

from lexigram.http_errors import ConnectionLimitError, ServiceUnavailableError
from lexigram.web import LexigramApp, WebSocket
from lexigram.web.testing import AsyncTestClient, TestClient


def _app() -> LexigramApp:
    app = LexigramApp()

    @app.get("/full")
    async def full() -> None:
        raise ConnectionLimitError("this stream already has its 2 open connections")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the database went away")

    @app.websocket("/down")
    async def down(websocket: WebSocket) -> None:
        raise ServiceUnavailableError("maintenance")

    return app


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("lexigram.web")]


async def test_a_deliberate_503_is_a_warning_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "lexigram.web")
    async with AsyncTestClient(_app()) as client:
        response = await client.get("/full")
    assert response.status_code == 503
    [record] = _records(caplog)
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert record.getMessage() == (
        "GET /full answered 503 (ConnectionLimitError: this stream already has its 2 open"
        " connections)"
    )


async def test_an_unexpected_exception_is_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "lexigram.web")
    async with AsyncTestClient(_app()) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    [record] = _records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


def test_a_deliberate_5xx_refusing_a_websocket_is_a_warning_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "lexigram.web")
    with TestClient(_app()) as client, pytest.raises(WebSocketDisconnect) as denied:
        client.websocket_connect("/down").__enter__()
    assert getattr(denied.value, "status_code", None) == 503
    [record] = [r for r in _records(caplog) if r.levelno >= logging.WARNING]
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert "503" in record.getMessage()
