"""Effect checks of the server settings (through ``lexigram run``) and of the ``openapi``,
``versioning``, ``health``, ``templates`` and debug-route settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from config_effects_probe import Check, Env, both, call, config

from lexigram.di import HealthCheckResult, Provider
from lexigram.web import (
    BearerTokenGuard,
    ConfigurationError,
    Controller,
    LexigramApp,
    TemplateResponse,
    WebConfig,
    api_version,
    get,
    render_template,
)
from lexigram.web._serve import _run, cli
from lexigram.web.testing import AsyncTestClient

TESTS_DIR = Path(__file__).parent


def _run_options(env: Env, variables: dict[str, str]) -> dict[str, object]:
    """The options ``lexigram run`` passes to ``run_server`` under these environment values."""
    calls: list[dict[str, object]] = []
    env.monkeypatch.setattr(_run, "run_server", lambda app, **options: calls.append(options))
    env.monkeypatch.setattr(sys, "path", [str(TESTS_DIR), *sys.path])
    env.monkeypatch.chdir(env.tmp_path)
    env.monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS_DIR), *sys.path]))
    for name in [n for n in os.environ if n.startswith("LEXIGRAM_WEB__")]:
        env.monkeypatch.delenv(name)
    for name, value in variables.items():
        env.monkeypatch.setenv(name, value)
    assert cli.main(["run", "server_fixture_app:app"]) == 0
    (options,) = calls
    return options


def _server_check(key: str, value: str, expected: object) -> Check:
    async def check(env: Env) -> None:
        default = _run_options(env, {})[key]
        changed = _run_options(env, {f"LEXIGRAM_WEB__{key.upper()}": value})[key]
        assert default != expected
        assert changed == expected

    return check


async def root_path(env: Env) -> None:
    before, after = await both({"root_path": "/api"}, "GET", "/openapi.json")
    assert "servers" not in before.json()
    assert after.json()["servers"] == [{"url": "/api"}]


def _document_check(setting: str, value: Any, member: str, expected: Any) -> Check:
    async def check(env: Env) -> None:
        before, after = await both({setting: value}, "GET", "/openapi.json")
        assert before.json()["info"].get(member) != expected
        assert after.json()["info"].get(member) == expected

    return check


async def openapi_enabled(env: Env) -> None:
    before, after = await both({"openapi.enabled": False}, "GET", "/openapi.json")
    assert (before.status_code, after.status_code) == (200, 404)


async def openapi_url(env: Env) -> None:
    before, after = await both({"openapi.openapi_url": "/spec.json"}, "GET", "/spec.json")
    assert (before.status_code, after.status_code) == (404, 200)


async def openapi_docs(env: Env) -> None:
    before, after = await both({"openapi.docs": False}, "GET", "/docs")
    assert (before.status_code, after.status_code) == (200, 404)


def _page_check(setting: str, path: str) -> Check:
    async def check(env: Env) -> None:
        before, after = await both({setting: path}, "GET", path)
        assert (before.status_code, after.status_code) == (404, 200)
        assert "text/html" in after.headers["content-type"]

    return check


async def openapi_security_schemes(env: Env) -> None:
    scheme = {"Key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
    before, after = await both({"openapi.security_schemes": scheme}, "GET", "/openapi.json")
    assert "securitySchemes" not in before.json().get("components", {})
    assert after.json()["components"]["securitySchemes"] == scheme


@api_version(1)
class ItemsV1(Controller):
    prefix = "/items"

    @get("")
    async def items(self) -> int:
        return 1


@api_version(2)
class ItemsV2(Controller):
    prefix = "/items"

    @get("")
    async def items(self) -> int:
        return 2


def _versioned(web: WebConfig) -> LexigramApp:
    return LexigramApp(config=web, controllers=[ItemsV1, ItemsV2])


async def _versions(
    settings: dict[str, Any], url: str, headers: dict[str, str] | None = None
) -> tuple[int, int]:
    before = await call(None, "GET", url, app=_versioned, headers=headers)
    after = await call(settings, "GET", url, app=_versioned, headers=headers)
    return before.status_code, (after.json() if after.status_code == 200 else after.status_code)


HEADER = {"versioning.strategy": "header"}
MEDIA = {"versioning.strategy": "media_type"}


async def versioning_strategy(env: Env) -> None:
    assert await _versions(HEADER, "/items", {"X-API-Version": "2"}) == (404, 2)


async def versioning_header_name(env: Env) -> None:
    assert await _versions({**HEADER, "versioning.header_name": "X-V"}, "/items", {"X-V": "2"}) == (
        404,
        2,
    )


async def versioning_query_param(env: Env) -> None:
    query = {"versioning.strategy": "query", "versioning.query_param": "v"}
    assert await _versions(query, "/items?v=2") == (404, 2)


async def versioning_media_type_vendor(env: Env) -> None:
    vendor = {**MEDIA, "versioning.media_type_vendor": "acme"}
    assert await _versions(vendor, "/items", {"Accept": "application/vnd.acme.v2+json"}) == (
        404,
        2,
    )


async def versioning_media_type_param(env: Env) -> None:
    param = {**MEDIA, "versioning.media_type_param": "ver"}
    assert await _versions(param, "/items", {"Accept": "application/json; ver=2"}) == (404, 2)


async def versioning_default_version(env: Env) -> None:
    plain = await call(HEADER, "GET", "/items", app=_versioned)
    assert plain.status_code == 400
    assert await _versions({**HEADER, "versioning.default_version": "1"}, "/items") == (404, 1)


async def versioning_unknown_version_status(env: Env) -> None:
    ask = {"X-API-Version": "9"}
    four_oh_four = await call(HEADER, "GET", "/items", app=_versioned, headers=ask)
    settings = {**HEADER, "versioning.unknown_version_status": 400}
    four_hundred = await call(settings, "GET", "/items", app=_versioned, headers=ask)
    assert (four_oh_four.status_code, four_hundred.status_code) == (404, 400)


async def versioning_url_format(env: Env) -> None:
    assert await _versions({"versioning.url_format": "/api/v{version}"}, "/api/v2/items") == (
        404,
        2,
    )


class Probe(Provider):
    """A provider whose health check reports the timeout it was given, and can be down."""

    name = "probe"

    def __init__(self, healthy: bool = True) -> None:
        self.healthy = healthy

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        if not self.healthy:
            return HealthCheckResult.unhealthy("down")
        return HealthCheckResult.healthy("up", timeout=timeout)


def _health_app(healthy: bool) -> Any:
    def build(web: WebConfig) -> LexigramApp:
        return LexigramApp(config=web, providers=[Probe(healthy)], debug=True)

    return build


def _path_check(setting: str, value: Any, path: str, old: int, new: int) -> Check:
    async def check(env: Env) -> None:
        before, after = await both({setting: value}, "GET", path)
        assert (before.status_code, after.status_code) == (old, new)

    return check


async def health_timeout(env: Env) -> None:
    app = _health_app(True)
    before = await call(None, "GET", "/health", app=app)
    after = await call({"health.timeout": 0.75}, "GET", "/health", app=app)
    assert before.json()["checks"]["probe"]["details"]["timeout"] != 0.75
    assert after.json()["checks"]["probe"]["details"]["timeout"] == 0.75


async def health_optional(env: Env) -> None:
    app = _health_app(False)
    before = await call(None, "GET", "/health/ready", app=app)
    after = await call({"health.optional": ["probe"]}, "GET", "/health/ready", app=app)
    assert (before.status_code, after.status_code) == (503, 200)


def _templated(web: WebConfig) -> LexigramApp:
    app = LexigramApp(config=web)

    @app.get("/page")
    async def page() -> TemplateResponse:
        return render_template("page.html", {})

    return app


async def templates_directory(env: Env) -> None:
    (env.tmp_path / "page.html").write_text("<p>from the directory</p>")
    app = _templated
    before = await call(None, "GET", "/page", app=app)
    after = await call({"templates.directory": str(env.tmp_path)}, "GET", "/page", app=app)
    assert before.status_code == 500
    assert after.text == "<p>from the directory</p>"


async def templates_require(env: Env) -> None:
    (env.tmp_path / "page.html").write_text("<p>x</p>")
    app = _templated
    settings: dict[str, Any] = {"templates.directory": str(env.tmp_path)}
    assert (await call(settings, "GET", "/page", app=app)).status_code == 200
    with pytest.raises(ConfigurationError, match=r"absent\.html"):
        await call({**settings, "templates.require": ["absent.html"]}, "GET", "/page", app=app)


async def templates_auto_reload(env: Env) -> None:
    page = env.tmp_path / "page.html"

    async def served(settings: dict[str, Any]) -> list[str]:
        page.write_text("<p>first</p>")
        app = _templated(config(settings))
        async with AsyncTestClient(app) as client:
            first = (await client.get("/page")).text
            page.write_text("<p>second</p>")
            stamp = page.stat().st_mtime + 10
            os.utime(page, (stamp, stamp))
            second = (await client.get("/page")).text
        return [first, second]

    base: dict[str, Any] = {"templates.directory": str(env.tmp_path)}
    assert await served(base) == ["<p>first</p>", "<p>first</p>"]
    reloading = {**base, "templates.auto_reload": True}
    assert await served(reloading) == ["<p>first</p>", "<p>second</p>"]


async def debug_routes(env: Env) -> None:
    auth = {"debug_routes_auth": BearerTokenGuard("t0ken")}
    token = {"Authorization": "Bearer t0ken"}
    before, after = await both({"debug_routes": True}, "GET", "/_debug/routes", base=auth,
                               headers=token)  # fmt: skip
    assert (before.status_code, after.status_code) == (404, 200)


async def debug_routes_auth(env: Env) -> None:
    on = {"debug_routes": True}
    with pytest.raises(ConfigurationError, match="debug_routes_auth"):
        await call(on, "GET", "/_debug/routes")
    guarded = {**on, "debug_routes_auth": BearerTokenGuard("t0ken")}
    assert (await call(guarded, "GET", "/_debug/routes")).status_code == 401


CHECKS: dict[str, Check] = {
    "host": _server_check("host", "0.0.0.0", "0.0.0.0"),
    "port": _server_check("port", "9123", 9123),
    "workers": _server_check("workers", "3", 3),
    "server": _server_check("server", "uvicorn", "uvicorn"),
    "reload": _server_check("reload", "true", True),
    "graceful_timeout": _server_check("graceful_timeout", "4.5", 4.5),
    "backlog": _server_check("backlog", "64", 64),
    "max_connections": _server_check("max_connections", "50", 50),
    "header_timeout": _server_check("header_timeout", "2.5", 2.5),
    "keep_alive_timeout": _server_check("keep_alive_timeout", "1.5", 1.5),
    "root_path": root_path,
    "openapi.enabled": openapi_enabled,
    "openapi.title": _document_check("openapi.title", "Shop", "title", "Shop"),
    "openapi.version": _document_check("openapi.version", "9.9.9", "version", "9.9.9"),
    "openapi.description": _document_check("openapi.description", "Sells", "description", "Sells"),
    "openapi.openapi_url": openapi_url,
    "openapi.docs": openapi_docs,
    "openapi.docs_url": _page_check("openapi.docs_url", "/explore"),
    "openapi.redoc_url": _page_check("openapi.redoc_url", "/reference"),
    "openapi.security_schemes": openapi_security_schemes,
    "versioning.strategy": versioning_strategy,
    "versioning.header_name": versioning_header_name,
    "versioning.query_param": versioning_query_param,
    "versioning.media_type_vendor": versioning_media_type_vendor,
    "versioning.media_type_param": versioning_media_type_param,
    "versioning.default_version": versioning_default_version,
    "versioning.unknown_version_status": versioning_unknown_version_status,
    "versioning.url_format": versioning_url_format,
    "health.enabled": _path_check("health.enabled", False, "/health", 200, 404),
    "health.path": _path_check("health.path", "/status", "/status", 404, 200),
    "health.live_path": _path_check("health.live_path", "/livez", "/livez", 404, 200),
    "health.ready_path": _path_check("health.ready_path", "/readyz", "/readyz", 404, 200),
    "health.timeout": health_timeout,
    "health.optional": health_optional,
    "templates.directory": templates_directory,
    "templates.require": templates_require,
    "templates.auto_reload": templates_auto_reload,
    "debug_routes": debug_routes,
    "debug_routes_auth": debug_routes_auth,
}

EXTRAS = {
    "openapi.docs": "docs",
    "openapi.docs_url": "docs",
    "openapi.redoc_url": "docs",
    "templates.directory": "templates",
    "templates.require": "templates",
    "templates.auto_reload": "templates",
}
"""Checks that need an optional extra installed."""
