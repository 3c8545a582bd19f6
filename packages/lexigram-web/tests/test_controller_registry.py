"""ControllerRegistry and register_controller: one registry per app and per web module."""

import textwrap
from pathlib import Path

import pytest

from lexigram.web import (
    Controller,
    ControllerRegistry,
    LexigramApp,
    RouteRegistry,
    WebModule,
    WebProvider,
    controller,
    get,
    register_controller,
)
from lexigram.web.testing import AsyncTestClient


class Users(Controller):
    prefix = "/users"

    @get("/")
    async def listing(self) -> list[str]:
        return ["ann"]


@controller("orders")
class OrdersController(Controller):
    prefix = "/orders"

    @get("/")
    async def listing(self) -> list[int]:
        return [1]


def test_a_class_registers_under_its_controller_name_or_its_class_name() -> None:
    registry = ControllerRegistry()
    assert registry.register(Users) is Users
    registry.register(OrdersController)
    registry.register("legacy_users", Users)
    assert registry.list_controllers() == ["Users", "orders", "legacy_users"]
    assert registry.get("orders") is OrdersController
    assert registry.get("missing") is None
    assert registry.get_all_controllers() == [Users, OrdersController]
    assert "orders" in registry and Users in registry and len(registry) == 3


def test_a_taken_name_is_refused_unless_overwriting_is_allowed() -> None:
    registry = ControllerRegistry()
    registry.register("users", Users)
    registry.register("users", Users)  # the same class again: nothing changes
    with pytest.raises(ValueError, match="allow_overwrite=True"):
        registry.register("users", OrdersController)
    registry.register("users", OrdersController, allow_overwrite=True)
    assert registry.get("users") is OrdersController


def test_clear_forgets_every_registration() -> None:
    registry = ControllerRegistry()
    registry.register(Users)
    registry.clear()
    assert (registry.list_controllers(), registry.get_all_controllers()) == ([], [])


async def test_register_controller_with_an_app_serves_the_controller() -> None:
    app = LexigramApp()
    assert register_controller(Users, app) is Users
    async with AsyncTestClient(app) as client:
        assert (await client.get("/users")).json() == ["ann"]
        assert app.routes.get_controllers() == [Users]


async def test_controllers_registered_with_the_app_routes_are_served() -> None:
    app = LexigramApp()
    app.routes.register_controller(OrdersController)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/orders")).json() == [1]


async def test_a_started_app_lists_every_controller_it_serves_and_refuses_new_ones() -> None:
    app = LexigramApp(controllers=[Users], modules=[WebModule.configure([OrdersController])])
    async with AsyncTestClient(app):
        assert app.controller_registry.list_controllers() == ["Users", "orders"]
        with pytest.raises(RuntimeError, match="register controllers before the app starts"):
            register_controller(OrdersController, app.controller_registry)
        with pytest.raises(RuntimeError, match="before the app starts"):
            app.routes.register_controller(OrdersController)
        with pytest.raises(RuntimeError, match="has started"):
            app.controller_registry.clear()
    app.controller_registry.clear()  # stopped: open again
    assert len(app.controller_registry) == 0


def test_two_apps_never_share_a_registry() -> None:
    first, second = LexigramApp(), LexigramApp()
    register_controller(Users, first)
    assert Users in first.controller_registry
    assert Users not in second.controller_registry


def test_register_controller_without_a_registry_names_the_fix() -> None:
    with pytest.raises(TypeError, match=r"register_controller\(Users, app\)"):
        register_controller(Users)


def test_a_route_registry_of_no_app_asks_for_a_controller_registry() -> None:
    registry = ControllerRegistry()
    routes = RouteRegistry()
    routes.register_controller(Users, registry)
    assert registry.get_all_controllers() == [Users]
    with pytest.raises(TypeError, match="controller_registry="):
        routes.register_controller(Users)


async def test_a_web_module_registers_what_it_discovers_under_its_controller_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "found_controllers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shop.py").write_text(
        textwrap.dedent(
            """
            from lexigram.web import Controller, controller, get

            @controller("catalog")
            class CatalogController(Controller):
                prefix = "/catalog"

                @get("/")
                async def listing(self) -> list[str]:
                    return ["lamp"]
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = WebModule.configure(discover=["found_controllers"])
    assert module.controller_registry.list_controllers() == ["catalog"]
    provider = WebProvider.auto_discover("found_controllers")
    assert provider.controller_registry.list_controllers() == ["catalog"]
    app = LexigramApp(modules=[module])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/catalog")).json() == ["lamp"]
    assert "catalog" in app.controller_registry


async def test_a_controller_registered_with_a_module_is_served() -> None:
    module = WebModule.configure()
    register_controller(Users, module)
    async with AsyncTestClient(LexigramApp(modules=[module])) as client:
        assert (await client.get("/users")).json() == ["ann"]


async def test_two_served_controllers_with_one_class_name_are_both_listed() -> None:
    def make(prefix: str) -> type:
        class Versioned(Controller):
            @get("/")
            async def listing(self) -> str:
                return prefix

        Versioned.prefix = prefix
        return Versioned

    first, second = make("/v1"), make("/v2")
    app = LexigramApp(controllers=[first, second])
    async with AsyncTestClient(app) as client:
        assert (await client.get("/v2")).json() == "/v2"
    assert app.controller_registry.get_all_controllers() == [first, second]
