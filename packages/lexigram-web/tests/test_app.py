"""App wiring: lifespan and the DI application, modules, providers, discovery, middleware,
route registry, url_for, settings, startup errors."""

import textwrap
from pathlib import Path
from typing import Any

import pytest

from lexigram.di import Container, Provider, module, singleton
from lexigram.web import (
    ConfigurationError,
    Controller,
    LexigramApp,
    Request,
    Response,
    WebModule,
    WebProvider,
    controller,
    create_app,
    discover_controllers,
    get,
    guard,
    set_metadata,
    use_interceptors,
)
from lexigram.web._config.web_config import WebConfig
from lexigram.web.testing import AsyncTestClient, TestClient


class Recording(Provider):
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def register(self, container: Container) -> None:
        self.log.append("register")

    async def boot(self, container: Container) -> None:
        self.log.append("boot")

    async def shutdown(self) -> None:
        self.log.append("shutdown")


class Hello(Controller):
    prefix = "/hello"

    @get("/{name}", name="hello")
    async def hello(self, name: str) -> str:
        return f"hello {name}"


async def _lifespan(
    app: LexigramApp, events: list[str], sent: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    incoming = iter({"type": event} for event in events)
    sent = [] if sent is None else sent

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: Any) -> None:
        sent.append(message)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    return sent


async def test_asgi_lifespan_boots_and_stops_the_di_application() -> None:
    log: list[str] = []
    app = LexigramApp(providers=[Recording(log)])
    sent = await _lifespan(app, ["lifespan.startup", "lifespan.shutdown"])
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert log == ["register", "boot", "shutdown"]


async def test_startup_failure_is_reported_through_the_lifespan_then_raised() -> None:
    app = LexigramApp()

    @app.get("/x")
    async def x(thing: Provider) -> None:
        return None

    sent: list[Any] = []
    with pytest.raises(ConfigurationError, match="thing"):
        await _lifespan(app, ["lifespan.startup"], sent)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "thing" in sent[0]["message"]


async def test_app_starts_on_the_first_request_without_a_lifespan() -> None:
    import httpx

    app = LexigramApp(controllers=[Hello])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/hello/ann")
    assert response.json() == "hello ann"
    assert app.started
    await app.shutdown()


async def test_web_module_serves_its_controllers() -> None:
    app = create_app(modules=[WebModule.configure(controllers=[Hello])])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/hello/bo")).json() == "hello bo"


async def test_module_controllers_are_served() -> None:
    @module(controllers=[Hello])
    class Feature:
        pass

    async with AsyncTestClient(LexigramApp(modules=[Feature])) as client:
        assert (await client.get("/hello/cy")).json() == "hello cy"


async def test_web_provider_from_config_supplies_settings() -> None:
    provider = WebProvider.from_config(WebConfig(debug=True), controllers=[Hello])
    app = LexigramApp(providers=[provider])

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("visible in debug")

    async with AsyncTestClient(app) as client:
        response = await client.get("/boom")
    assert "exception" in response.json()
    assert provider.app is app
    assert app.container.resolve(WebConfig).debug


def test_web_module_configure_builds_a_config_from_host_and_port() -> None:
    dynamic = WebModule.configure(host="0.0.0.0", port=9000)
    provider = dynamic.meta.providers[0]
    assert isinstance(provider, WebProvider)
    assert provider.web_config is not None
    assert (provider.web_config.host, provider.web_config.port) == ("0.0.0.0", 9000)


def test_web_module_stub_has_no_controllers() -> None:
    provider = WebModule.stub().meta.providers[0]
    assert isinstance(provider, WebProvider)
    assert provider.controllers == []


def _write_package(root: Path) -> str:
    package = root / "discover_me"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "users.py").write_text(
        textwrap.dedent(
            """
            from lexigram.web import Controller, get

            class Users(Controller):
                prefix = "/found"

                @get("/")
                async def listing(self) -> list[str]:
                    return ["found"]
            """
        )
    )
    return "discover_me"


def test_discover_controllers_scans_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover_controllers([_write_package(tmp_path)])
    assert [cls.__name__ for cls in found] == ["Users"]


async def test_auto_discover_and_discover_option_serve_found_controllers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = _write_package(tmp_path)
    provider = WebProvider.auto_discover(name)
    module_app = LexigramApp(modules=[WebModule.configure(discover=[name])])
    for app in (LexigramApp(providers=[provider]), module_app):
        async with AsyncTestClient(app) as client:
            assert (await client.get("/found")).json() == ["found"]


@singleton
class Counter:
    def __init__(self) -> None:
        self.value = 0


async def test_quickstart_marked_services_need_no_registration() -> None:
    app = LexigramApp()

    @app.post("/count")
    async def count(counter: Counter) -> int:
        counter.value += 1
        return counter.value

    async with AsyncTestClient(app) as client:
        values = [(await client.post("/count")).json() for _ in range(2)]
    assert values == [1, 2]


async def test_apps_do_not_share_services() -> None:
    first, second = LexigramApp(), LexigramApp()
    for app in (first, second):

        @app.post("/count")
        async def count(counter: Counter) -> int:
            counter.value += 1
            return counter.value

    async with AsyncTestClient(first) as client:
        await client.post("/count")
    async with AsyncTestClient(second) as client:
        assert (await client.post("/count")).json() == 1


class Allow:
    def can_activate(self, context: Any) -> bool:
        return True


class Passthrough:
    async def intercept(self, context: Any, next_handler: Any) -> Any:
        return await next_handler.handle()


async def test_route_registry_lists_routes_with_guards_and_interceptors() -> None:
    app = LexigramApp(controllers=[Hello])

    @app.get("/items/{id:int}")
    @guard(Allow())
    @use_interceptors(Passthrough())
    async def item(id: int) -> int:
        return id

    async with AsyncTestClient(app):
        routes = app.routes.get_all_routes()
        found = app.routes.find_route("/items/5", "GET")
    assert set(routes) == {
        "GET /hello/{name}",
        "HEAD /hello/{name}",
        "GET /items/{id:int}",
        "HEAD /items/{id:int}",
    }
    entry = routes["GET /items/{id:int}"]
    assert (entry["handler"], entry["guards"], entry["interceptors"]) == (
        item,
        ["Allow"],
        ["Passthrough"],
    )
    assert found is not None
    assert found["path"] == "/items/{id:int}"
    assert app.routes.get_controllers() == [Hello]


async def test_url_for_builds_paths_from_route_names() -> None:
    app = LexigramApp(controllers=[Hello])

    @app.get("/items/{id:int}")
    async def item(id: int) -> int:
        return id

    async with AsyncTestClient(app):
        assert app.url_for("hello", name="a b") == "/hello/a%20b"
        assert app.url_for("item", id=3) == "/items/3"
        with pytest.raises(KeyError, match="no route named"):
            app.url_for("missing")


async def test_duplicate_routes_fail_at_startup() -> None:
    app = LexigramApp()

    @app.get("/a/{x:int}")
    async def first(x: int) -> None:
        return None

    @app.get("/a/{y:int}")
    async def second(y: int) -> None:
        return None

    with pytest.raises(ConfigurationError, match="duplicate route GET"):
        await app.startup()


async def test_duplicate_routes_are_allowed_when_configured() -> None:
    app = LexigramApp(fail_on_route_conflict=False)

    @app.get("/a")
    async def first() -> str:
        return "first"

    @app.get("/a", name="second")
    async def second() -> str:
        return "second"

    async with AsyncTestClient(app) as client:
        assert (await client.get("/a")).json() == "second"


async def test_explicit_route_names_must_be_unique() -> None:
    app = LexigramApp()

    @app.get("/a", name="same")
    async def first() -> None:
        return None

    @app.get("/b", name="same")
    async def second() -> None:
        return None

    with pytest.raises(ConfigurationError, match="route name 'same'"):
        await app.startup()


def tagging(label: str, log: list[str]) -> Any:
    class Tag:
        def __init__(self, app: Any) -> None:
            log.append(f"build {label}")
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            async def tagged(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"x-order", label.encode())]
                await send(message)

            await self.app(scope, receive, tagged)

    return Tag


async def test_middleware_is_built_once_and_runs_outermost_first() -> None:
    log: list[str] = []
    app = LexigramApp(middleware=[tagging("outer", log)])
    app.add_middleware(tagging("inner", log))

    @app.get("/x")
    async def x() -> int:
        return 1

    async with AsyncTestClient(app) as client:
        first = await client.get("/x")
        await client.get("/x")
    assert log == ["build inner", "build outer"]
    assert first.headers.get_list("x-order") == ["inner", "outer"]


async def test_config_object_and_keywords_set_the_pipeline() -> None:
    app = LexigramApp(config=WebConfig(validation_status=400), debug=True)
    assert (app.settings.validation_status, app.settings.debug) == (400, True)


async def test_root_path_is_stripped_before_routing() -> None:
    app = LexigramApp(controllers=[Hello])
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/hello/x",
        "root_path": "/api",
        "query_string": b"",
        "headers": [],
    }
    async with app.lifespan():
        await app(scope, receive, send)
    assert sent[1]["body"] == b'"hello x"'


def test_sync_test_client_runs_the_lifespan_with_overrides() -> None:
    log: list[str] = []

    class Real:
        name = "real"

    class Fake:
        name = "fake"

    app = LexigramApp(providers=[Recording(log)])
    app.singleton(Real)

    @app.get("/name")
    async def name(service: Real) -> str:
        return service.name

    with TestClient(app, overrides={Real: Fake()}) as client:
        assert client.get("/name").json() == "fake"
    assert log == ["register", "boot", "shutdown"]


async def test_adding_routes_after_startup_is_refused() -> None:
    app = LexigramApp()
    async with app.lifespan():
        with pytest.raises(RuntimeError, match="after the app started"):
            app.add_controller(Hello)


async def test_app_can_start_again_after_shutdown() -> None:
    app = LexigramApp(controllers=[Hello])
    for _ in range(2):
        async with AsyncTestClient(app) as client:
            assert (await client.get("/hello/again")).json() == "hello again"
    assert not app.started


async def test_request_url_for_uses_the_route_names() -> None:
    app = LexigramApp(controllers=[Hello])

    @app.get("/link")
    async def link(request: Request) -> str:
        return str(request.url_for("hello", name="zed"))

    async with AsyncTestClient(app) as client:
        assert (await client.get("/link")).json() == "http://testserver/hello/zed"


async def test_module_level_function_handlers_are_served() -> None:
    @get("/fn/{n:int}")
    async def fn(n: int) -> int:
        return n + 1

    async with AsyncTestClient(LexigramApp(routes=[fn])) as client:
        assert (await client.get("/fn/1")).json() == 2


async def test_undecorated_function_route_fails_at_startup() -> None:
    async def plain() -> None:
        return None

    with pytest.raises(ConfigurationError, match="no @get/@post"):
        await LexigramApp(routes=[plain]).startup()


async def test_route_declaration_is_kept_for_generators() -> None:
    app = LexigramApp()

    @app.post(
        "/items",
        status_code=201,
        tags=["items"],
        summary="Create",
        description="Creates an item",
        operation_id="createItem",
        responses={409: {"description": "exists"}},
        deprecated=True,
        include_in_schema=False,
    )
    async def create() -> None:
        return None

    async with AsyncTestClient(app):
        (info,) = [r for r in app.routes if r.method == "POST"]
    assert info.config is not None
    assert (info.status_code, info.config.operation_id, info.config.include_in_schema) == (
        201,
        "createItem",
        False,
    )
    assert info.metadata["tags"] == ["items"]
    assert info.metadata["deprecated"] is True


async def test_controller_name_and_custom_metadata_reach_the_route() -> None:
    @controller("users")
    @set_metadata("feature", "accounts")
    class Users(Controller):
        @get("/u")
        @set_metadata("public", True)
        async def listing(self) -> None:
            return None

    app = LexigramApp(controllers=[Users])
    async with AsyncTestClient(app):
        info = app.routes.get_route_by_name("users.listing")
    assert info is not None
    assert (info.metadata["feature"], info.metadata["public"]) == ("accounts", True)


async def test_an_explicit_head_handler_replaces_the_automatic_one() -> None:
    app = LexigramApp()

    @app.get("/doc")
    async def doc() -> str:
        return "body"

    @app.head("/doc")
    async def doc_head() -> Response:
        return Response(headers={"X-Head": "explicit"})

    async with AsyncTestClient(app) as client:
        response = await client.head("/doc")
    assert response.headers["x-head"] == "explicit"
