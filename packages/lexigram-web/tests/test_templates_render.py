"""Jinja2 templates through the real ASGI app: one environment per app, autoescape, errors."""

import logging
from pathlib import Path

import pytest

from lexigram.web import (
    ConfigurationError,
    LexigramApp,
    TemplateResponse,
    Templates,
    TemplatesConfig,
    WebConfig,
    render_template,
)
from lexigram.web.testing import AsyncTestClient

pytestmark = pytest.mark.extra("templates")


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    (tmp_path / "hello.html").write_text("<p>Hello {{ name }}!</p>")
    return tmp_path


async def test_render_template_uses_the_apps_templates_and_escapes(template_dir: Path) -> None:
    app = LexigramApp(templates=template_dir)

    @app.get("/hello")
    async def hello(name: str) -> TemplateResponse:
        return render_template("hello.html", {"name": name})

    async with AsyncTestClient(app) as client:
        response = await client.get("/hello", params={"name": "<script>x</script>"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<p>Hello &lt;script&gt;x&lt;/script&gt;!</p>"
    assert response.headers["content-length"] == str(len(response.content))


async def test_render_template_takes_a_status_code_and_headers(template_dir: Path) -> None:
    app = LexigramApp(templates=str(template_dir))

    @app.post("/hello")
    async def created() -> TemplateResponse:
        return render_template("hello.html", {"name": "new"}, 201, headers={"X-Page": "1"})

    async with AsyncTestClient(app) as client:
        response = await client.post("/hello")
    assert (response.status_code, response.headers["x-page"]) == (201, "1")


async def test_the_environment_is_created_once_and_injectable(template_dir: Path) -> None:
    app = LexigramApp(config=WebConfig(templates=TemplatesConfig(directory=template_dir)))
    seen: list[Templates] = []

    @app.get("/direct")
    async def direct(templates: Templates) -> str:
        seen.append(templates)
        return templates.render("hello.html", {"name": "di"})

    async with AsyncTestClient(app) as client:
        first = await client.get("/direct")
        await client.get("/direct")
    assert first.json() == "<p>Hello di!</p>"
    assert seen[0] is seen[1] is app.templates


async def test_a_missing_template_is_a_generic_500_problem_and_is_logged(
    template_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = LexigramApp(templates=template_dir)

    @app.get("/page")
    async def page() -> TemplateResponse:
        return render_template("missing.html")

    with caplog.at_level(logging.ERROR, logger="lexigram.web"):
        async with AsyncTestClient(app) as client:
            response = await client.get("/page")
    body = response.json()
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "missing.html" not in response.text
    assert body["title"] == "Internal Server Error"
    assert any("TemplateNotFoundError" in r.getMessage() for r in caplog.records)


async def test_in_debug_the_problem_names_the_missing_template(template_dir: Path) -> None:
    app = LexigramApp(templates=template_dir, debug=True)

    @app.get("/page")
    async def page() -> TemplateResponse:
        return render_template("missing.html")

    async with AsyncTestClient(app) as client:
        response = await client.get("/page")
    assert response.status_code == 500
    assert "missing.html" in response.json()["detail"]


async def test_startup_fails_when_a_required_template_is_missing(template_dir: Path) -> None:
    config = TemplatesConfig(directory=template_dir, require=("hello.html", "absent.html"))
    app = LexigramApp(templates=config)
    with pytest.raises(ConfigurationError, match=r"missing from .*: absent\.html"):
        await app.startup()


async def test_explicit_templates_render_without_an_app(template_dir: Path) -> None:
    templates = Templates(template_dir)
    response = render_template("hello.html", {"name": "x"}, templates=templates)
    app = LexigramApp()

    @app.get("/explicit")
    async def explicit() -> TemplateResponse:
        return response

    async with AsyncTestClient(app) as client:
        answer = await client.get("/explicit")
    assert answer.text == "<p>Hello x!</p>"


async def test_render_template_in_an_app_without_templates_names_the_fix() -> None:
    app = LexigramApp(debug=True)

    @app.get("/page")
    async def page() -> TemplateResponse:
        return render_template("hello.html")

    async with AsyncTestClient(app) as client:
        response = await client.get("/page")
    assert response.status_code == 500
    assert "configure them" in response.json()["detail"]
