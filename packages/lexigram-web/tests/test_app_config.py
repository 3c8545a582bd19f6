"""An app runs with exactly one WebConfig, installs what it asks for, and refuses ambiguity."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.web import (
    ConfigurationError,
    LexigramApp,
    Request,
    Response,
    WebConfig,
    WebModule,
    WebProvider,
    get_request_id,
    load_web_config,
)
from lexigram.web.middleware import (
    BodySizeLimitMiddleware,
    CORSMiddleware,
    DefaultMiddlewareStack,
    GZipMiddleware,
    QuerySanitizerMiddleware,
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
)
from lexigram.web.testing import AsyncTestClient


class Tag:
    """A user middleware adding ``x-tag`` to responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-tag", b"1")]
            await send(message)

        await self.app(scope, receive, tagged)


async def test_every_app_has_request_ids_without_any_configuration() -> None:
    app = LexigramApp()

    @app.get("/id")
    async def show(request: Request) -> str:
        return await get_request_id(request)

    async with AsyncTestClient(app) as client:
        response = await client.get("/id")
    assert response.json() == response.headers["x-request-id"]


async def test_a_cors_config_answers_preflights_on_a_plain_app() -> None:
    app = LexigramApp(config={"cors": {"allow_origins": ["https://app.example"]}})

    @app.put("/items")
    async def put() -> None: ...

    async with AsyncTestClient(app) as client:
        response = await client.options(
            "/items",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"},
        )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "https://app.example"


async def test_the_app_builds_its_stack_with_default_middleware_stack() -> None:
    config = WebConfig.model_validate({"gzip": {"enabled": True}})
    app = LexigramApp(config=config, middleware=[Tag])
    async with AsyncTestClient(app) as client:
        response = await client.get("/health")
    stack = app.middleware_stack
    assert isinstance(stack, DefaultMiddlewareStack)
    assert stack.config is app.config
    classes: list[object] = [entry.cls for entry in stack.build()]
    assert classes == [
        Tag,
        RequestIDMiddleware,
        SecurityHeadersMiddleware,
        GZipMiddleware,
        BodySizeLimitMiddleware,
        QuerySanitizerMiddleware,
    ]
    assert response.headers["x-tag"] == "1"


def test_the_middleware_stack_is_none_before_startup() -> None:
    assert LexigramApp().middleware_stack is None


async def test_the_default_stack_passed_as_middleware_is_refused_naming_the_fix() -> None:
    config = WebConfig()
    app = LexigramApp(config=config, middleware=DefaultMiddlewareStack(config).build())
    with pytest.raises(
        ConfigurationError, match="lists RequestIDMiddleware, which the app already"
    ):
        await app.startup()


async def test_a_middleware_the_config_installs_is_refused_in_middleware() -> None:
    cors = WebConfig.model_validate({"cors": {"allow_origins": ["https://a.example"]}})
    app = LexigramApp(config=cors, middleware=[Middleware(CORSMiddleware, allow_origins=["*"])])
    with pytest.raises(ConfigurationError, match=r"CORSMiddleware.*\(cors\)"):
        await app.startup()


async def test_a_middleware_the_config_leaves_out_may_be_added_by_hand() -> None:
    app = LexigramApp(middleware=[Middleware(CORSMiddleware, allow_origins=["https://a.example"])])
    async with AsyncTestClient(app) as client:
        response = await client.get("/health", headers={"Origin": "https://a.example"})
    assert response.headers["access-control-allow-origin"] == "https://a.example"


async def test_a_provider_config_is_used_when_the_app_has_none() -> None:
    provided = WebConfig.model_validate({"security_headers": {"frame_options": "SAMEORIGIN"}})
    app = LexigramApp(modules=[WebModule.stub(provided)])
    async with AsyncTestClient(app) as client:
        response = await client.get("/health")
    assert app.config is provided
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


async def test_an_app_config_and_a_different_provider_config_are_refused() -> None:
    app = LexigramApp(config=WebConfig(debug=True), providers=[WebProvider(web_config=WebConfig())])
    with pytest.raises(ConfigurationError, match="an app runs with one WebConfig"):
        await app.startup()


async def test_the_same_config_given_twice_is_accepted() -> None:
    config = WebConfig(port=9000)
    app = LexigramApp(config=config, providers=[WebProvider(web_config=config)])
    async with app.lifespan():
        assert app.config is config


def test_keyword_settings_win_over_the_config() -> None:
    app = LexigramApp(
        config=WebConfig(debug=False, max_body_size=10), debug=True, max_body_size=None
    )
    assert (app.config.debug, app.config.max_body_size) == (True, None)
    assert app.settings.debug is True


def test_a_bad_keyword_setting_fails_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="validation_status"):
        LexigramApp(validation_status=418)


def test_a_mapping_is_validated_into_a_web_config() -> None:
    app = LexigramApp(config={"cors": {"allow_origins": ["https://a.example"]}})
    assert app.config.cors.allow_origins == ("https://a.example",)
    with pytest.raises(ConfigurationError, match="not a valid WebConfig"):
        LexigramApp(config={"corz": {}})


def test_an_object_that_is_not_a_config_is_refused_naming_the_fix() -> None:
    class Settings:
        debug = True

    with pytest.raises(TypeError, match=r"takes a WebConfig .* load_web_config\(\)"):
        LexigramApp(config=Settings())


def test_provider_config_is_refused_naming_where_settings_go() -> None:
    with pytest.raises(TypeError, match=r"web_config=WebConfig\(...\)"):
        WebProvider(provider_config=object())  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["name", "enabled"])
def test_settings_that_did_nothing_are_refused_with_the_fix(key: str) -> None:
    with pytest.raises(
        ValidationError, match=f"web.{key} is not a setting any more.*delete the key"
    ):
        WebConfig.model_validate({key: "web" if key == "name" else False})


@pytest.mark.extra("yaml")
def test_a_removed_key_in_application_yaml_names_the_file(tmp_path: Any) -> None:
    (tmp_path / "application.yaml").write_text("web:\n  enabled: true\n")
    with pytest.raises(ValueError, match=r"web\.enabled is not a setting.*application\.yaml"):
        load_web_config(tmp_path, environ={})


async def test_headers_a_handler_sets_are_kept_by_the_default_stack() -> None:
    app = LexigramApp()

    @app.get("/framed")
    async def framed() -> Response:
        return Response("ok", headers={"X-Frame-Options": "SAMEORIGIN", "X-Request-ID": "mine"})

    async with AsyncTestClient(app) as client:
        response = await client.get("/framed")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers.get_list("x-request-id") == ["mine"]
    assert response.headers["x-content-type-options"] == "nosniff"
