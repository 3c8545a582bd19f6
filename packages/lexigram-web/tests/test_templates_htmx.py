"""``HTMXResponse`` headers and ``HTMLContent``; templates without Jinja2 name the extra."""

import sys
from pathlib import Path

import orjson
import pytest

from lexigram.http_errors import BadRequestError
from lexigram.web import HTMLContent, HTMXResponse, LexigramApp, Templates
from lexigram.web.testing import AsyncTestClient


def test_hx_trigger_takes_an_event_name_or_a_mapping_sent_as_json() -> None:
    named = HTMXResponse("<p>ok</p>", hx_trigger="saved")
    detailed = HTMXResponse("<p>ok</p>", hx_trigger={"showToast": "Saved"})
    assert named.headers["hx-trigger"] == "saved"
    assert orjson.loads(detailed.headers["hx-trigger"]) == {"showToast": "Saved"}


def test_every_htmx_response_header_is_set() -> None:
    response = HTMXResponse(
        "<p>ok</p>",
        hx_refresh=True,
        hx_redirect="/next",
        hx_retarget="#main",
        hx_reswap="outerHTML",
        hx_reselect="#part",
        hx_push_url=False,
        hx_replace_url="/replaced",
        hx_location={"path": "/loc", "target": "#main"},
        hx_trigger_after_settle="settled",
        hx_trigger_after_swap={"swapped": 1},
    )
    headers = response.headers
    assert (headers["hx-refresh"], headers["hx-redirect"]) == ("true", "/next")
    assert (headers["hx-retarget"], headers["hx-reswap"]) == ("#main", "outerHTML")
    assert (headers["hx-reselect"], headers["hx-push-url"]) == ("#part", "false")
    assert headers["hx-replace-url"] == "/replaced"
    assert orjson.loads(headers["hx-location"]) == {"path": "/loc", "target": "#main"}
    assert headers["hx-trigger-after-settle"] == "settled"
    assert orjson.loads(headers["hx-trigger-after-swap"]) == {"swapped": 1}


def test_header_values_with_control_characters_are_refused() -> None:
    with pytest.raises(BadRequestError):
        HTMXResponse("x", hx_redirect="/a\r\nSet-Cookie: x=y")
    with pytest.raises(ValueError, match="HX-Retarget"):
        HTMXResponse("x", hx_retarget="#a\nb")


async def test_htmx_and_html_content_through_the_app() -> None:
    app = LexigramApp()

    @app.get("/fragment")
    async def fragment() -> HTMXResponse:
        return HTMXResponse("<li>one</li>", hx_trigger={"added": 1}, hx_reswap="beforeend")

    @app.get("/html")
    async def html() -> HTMLContent:
        return HTMLContent("<b>bold</b>")

    async with AsyncTestClient(app) as client:
        first = await client.get("/fragment")
        second = await client.get("/html")
    assert first.text == "<li>one</li>"
    assert first.headers["hx-reswap"] == "beforeend"
    assert second.headers["content-type"] == "text/html; charset=utf-8"
    assert second.text == "<b>bold</b>"


def test_templates_without_jinja2_raise_import_error_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(ImportError, match=r'pip install "lexigram-web\[templates\]"'):
        Templates(tmp_path)


async def test_an_app_with_templates_but_without_jinja2_fails_at_startup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    app = LexigramApp(templates=tmp_path)
    with pytest.raises(ImportError, match=r"lexigram-web\[templates\]"):
        await app.startup()
