"""No input escapes the pipeline: converter failures are 404 problems, a failure anywhere in
dispatch is a 500 problem with the usual headers, and a repeating failure is logged once per
interval (the rest counted)."""

import logging
from typing import Any

import pytest

from lexigram.web import LexigramApp
from lexigram.web.testing import AsyncTestClient


def _app(**options: Any) -> LexigramApp:
    app = LexigramApp(**options)

    @app.get("/items/{id:int}")
    async def item(id: int) -> dict[str, int]:
        return {"id": id % 10}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the database went away")

    return app


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("lexigram") and r.levelno >= 30]


async def test_an_int_path_parameter_of_5000_digits_is_a_404_problem_with_the_usual_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with AsyncTestClient(_app()) as client:
        response = await client.get("/items/" + "9" * 5000)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"]
    assert _errors(caplog) == []


async def test_a_converter_that_raises_is_a_500_problem_with_the_usual_headers(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lexigram.web._routing import _converters

    def explode(self: object, segment: str) -> Any:
        raise ValueError("converter bug")

    monkeypatch.setattr(_converters.IntConverter, "convert", explode)
    async with AsyncTestClient(_app()) as client:
        response = await client.get("/items/12")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "converter bug" not in response.text
    [record] = _errors(caplog)
    assert record.exc_info is not None


async def test_a_repeated_failure_logs_one_traceback_per_interval_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "lexigram.web")
    async with AsyncTestClient(_app()) as client:
        statuses = [(await client.get("/boom")).status_code for _ in range(20)]
    assert statuses == [500] * 20
    [record] = _errors(caplog)
    assert record.exc_info is not None


def test_the_suppressed_count_is_reported_with_the_next_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from lexigram.web._http.error_log import ServerErrorLog

    now = [0.0]
    log = ServerErrorLog(interval=60.0, clock=lambda: now[0])
    error = RuntimeError("x")
    for _ in range(5):
        log.log(error, 500, "GET", "/boom")
    now[0] = 61.0
    log.log(error, 500, "GET", "/boom")
    log.log(KeyError("k"), 500, "GET", "/boom")
    messages = [r.getMessage() for r in caplog.records if r.name == "lexigram.web"]
    assert messages == [
        "unhandled RuntimeError in GET /boom",
        "unhandled RuntimeError in GET /boom (4 more since the last report)",
        "unhandled KeyError in GET /boom",
    ]
