"""The structured access log and the request fields on the framework's own log records."""

from __future__ import annotations

import json
import logging

import pytest

from lexigram.http_errors import NotFoundError
from lexigram.web import LexigramApp, StructuredFormatter
from lexigram.web.testing import AsyncTestClient

SECRETS = ("sk-live-123456", "Bearer tok-987", "session=cookie-555", "apikey-in-query-42")


def _app(format: str = "json") -> LexigramApp:
    app = LexigramApp(observability={"access_log": {"enabled": True, "format": format}})

    @app.get("/orders/{id:int}")
    async def order(id: int) -> dict[str, int]:
        if id == 0:
            logging.getLogger("lexigram.web").warning("order %d looked up", id)
            raise NotFoundError("no order 0")
        return {"id": id}

    return app


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


async def test_each_request_writes_one_json_line_with_its_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with AsyncTestClient(_app()) as client:
        await client.get("/orders/5?verbose=1", headers={"x-request-id": "req-42"})
        await client.get("/missing")
    first, second = (json.loads(line) for line in _lines(capsys.readouterr().err))
    assert first["logger"] == "lexigram.web.access"
    assert first["message"] == "GET /orders/5 200"
    assert {k: first[k] for k in ("method", "route", "path", "status", "client", "request_id")} == {
        "method": "GET",
        "route": "/orders/{id}",
        "path": "/orders/5",
        "status": 200,
        "client": "127.0.0.1",
        "request_id": "req-42",
    }
    assert first["duration_ms"] >= 0
    assert first["trace_id"] == "-"  # tracing is off
    assert second["route"] == "<unmatched>"
    assert second["status"] == 404


async def test_the_keyvalue_format_writes_key_value_pairs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with AsyncTestClient(_app("keyvalue")) as client:
        await client.get("/orders/5", headers={"x-request-id": "req-7"})
    (line,) = _lines(capsys.readouterr().err)
    assert 'message="GET /orders/5 200"' in line
    assert " method=GET route=/orders/{id} path=/orders/5 status=200 " in line
    assert " request_id=req-7 " in line


async def test_framework_records_carry_the_request_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with AsyncTestClient(_app()) as client:
        await client.get("/orders/0", headers={"x-request-id": "req-9"})
    records = [json.loads(line) for line in _lines(capsys.readouterr().err)]
    (warning,) = [r for r in records if r["logger"] == "lexigram.web"]
    assert warning["message"] == "order 0 looked up"
    assert warning["request_id"] == "req-9"
    assert warning["route"] == "/orders/{id}"
    assert warning["method"] == "GET"


async def test_no_secret_from_headers_cookies_or_the_query_is_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = _app()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("failing on purpose")

    headers = {
        "x-api-key": SECRETS[0],
        "authorization": SECRETS[1],
        "cookie": SECRETS[2],
    }
    async with AsyncTestClient(app) as client:
        await client.get(f"/orders/5?api_key={SECRETS[3]}", headers=headers)
        await client.get(f"/orders/0?api_key={SECRETS[3]}", headers=headers)
        await client.get(f"/boom?token={SECRETS[3]}", headers=headers)
    logged = capsys.readouterr().err
    assert len(_lines(logged)) >= 5  # three access lines, a warning, an error with traceback
    for secret in SECRETS:
        assert secret.split(" ")[-1] not in logged


async def test_logging_is_left_as_it_was_once_the_app_stops(
    capsys: pytest.CaptureFixture[str],
) -> None:
    framework = logging.getLogger("lexigram")
    before = (list(framework.handlers), framework.propagate)
    async with AsyncTestClient(_app()) as client:
        await client.get("/orders/5")
        assert framework.propagate is False
    assert (list(framework.handlers), framework.propagate) == before
    capsys.readouterr()


async def test_the_access_log_is_off_by_default_and_env_turns_it_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = LexigramApp()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    async with AsyncTestClient(app) as client:
        await client.get("/ping")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LEXIGRAM_ACCESS_LOG", "1")
    async with AsyncTestClient(app) as client:
        await client.get("/ping")
    (line,) = _lines(capsys.readouterr().err)
    assert json.loads(line)["route"] == "/ping"


async def test_the_env_switch_also_turns_a_configured_access_log_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEXIGRAM_ACCESS_LOG", "0")
    async with AsyncTestClient(_app()) as client:
        await client.get("/orders/5")
    assert capsys.readouterr().err == ""


def test_the_formatter_writes_records_outside_a_request_without_request_fields() -> None:
    record = logging.LogRecord("lexigram.web", logging.ERROR, __file__, 1, "x=%s", ("a b",), None)
    data = json.loads(StructuredFormatter("json").format(record))
    assert data["message"] == "x=a b"
    assert "request_id" not in data and "trace_id" not in data
    line = StructuredFormatter("keyvalue").format(record)
    assert 'message="x=a b"' in line and "level=ERROR" in line
    with pytest.raises(ValueError, match="json"):
        StructuredFormatter("xml")  # type: ignore[arg-type]
