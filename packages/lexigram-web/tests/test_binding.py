"""Parameter binding through the real ASGI app: path, query, header, cookie, services, specials."""

import dataclasses
from typing import Annotated, Any

import pytest
from pydantic import Field

from lexigram.web import (
    BackgroundTasks,
    ConfigurationError,
    ExecutionContext,
    LexigramApp,
    Request,
    cookie,
    header,
    path,
    query,
)
from lexigram.web.testing import AsyncTestClient


async def test_int_path_parameter_arrives_as_int() -> None:
    app = LexigramApp()

    @app.get("/users/{id:int}")
    async def one(id: int) -> dict[str, Any]:
        return {"id": id, "type": type(id).__name__}

    async with AsyncTestClient(app) as client:
        response = await client.get("/users/7")
    assert response.json() == {"id": 7, "type": "int"}


async def test_str_path_parameter_is_validated_against_the_annotation() -> None:
    app = LexigramApp()

    @app.get("/items/{id}")
    async def one(id: int) -> dict[str, int]:
        return {"id": id}

    async with AsyncTestClient(app) as client:
        good = await client.get("/items/12")
        bad = await client.get("/items/x")
    assert good.json() == {"id": 12}
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["path", "id"]


async def test_scalar_query_parameters_are_converted() -> None:
    app = LexigramApp()

    @app.get("/search")
    async def search(q: str, limit: int = 10, exact: bool = False) -> dict[str, Any]:
        return {"q": q, "limit": limit, "exact": exact}

    async with AsyncTestClient(app) as client:
        response = await client.get("/search?q=a+b&limit=3&exact=true")
    assert response.json() == {"q": "a b", "limit": 3, "exact": True}


async def test_query_defaults_apply_when_absent() -> None:
    app = LexigramApp()

    @app.get("/search")
    async def search(limit: int = 10, page: int | None = None) -> dict[str, Any]:
        return {"limit": limit, "page": page}

    async with AsyncTestClient(app) as client:
        response = await client.get("/search")
    assert response.json() == {"limit": 10, "page": None}


async def test_all_invalid_and_missing_params_are_reported_in_one_422() -> None:
    app = LexigramApp()

    @app.get("/search/{id:int}")
    async def search(
        id: int, q: str, limit: int, x_token: str = header(), session: str = cookie()
    ) -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.get("/search/1?limit=many")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    locs = [error["loc"] for error in body["errors"]]
    assert locs == [
        ["query", "q"],
        ["query", "limit"],
        ["header", "x-token"],
        ["cookie", "session"],
    ]
    assert {error["type"] for error in body["errors"]} == {"missing", "int_parsing"}


async def test_validation_status_can_be_400() -> None:
    app = LexigramApp(validation_status=400)

    @app.get("/search")
    async def search(limit: int) -> None:
        return None

    async with AsyncTestClient(app) as client:
        response = await client.get("/search")
    assert response.status_code == 400
    assert response.json()["errors"][0]["type"] == "missing"


async def test_list_query_parameter_collects_repeated_keys() -> None:
    app = LexigramApp()

    @app.get("/tags")
    async def tags(tag: list[int] = query(default=[])) -> list[int]:  # noqa: B008
        return tag

    async with AsyncTestClient(app) as client:
        many = await client.get("/tags?tag=1&tag=2")
        none = await client.get("/tags")
    assert many.json() == [1, 2]
    assert none.json() == []


async def test_query_alias_reads_the_wire_name() -> None:
    app = LexigramApp()

    @app.get("/page")
    async def page(page_size: int = query(default=5, alias="page-size")) -> int:
        return page_size

    async with AsyncTestClient(app) as client:
        response = await client.get("/page?page-size=50")
    assert response.json() == 50


async def test_annotated_marker_keeps_pydantic_constraints() -> None:
    app = LexigramApp()

    @app.get("/page")
    async def page(size: Annotated[int, Field(gt=0, le=100), query(alias="n")] = 10) -> int:
        return size

    async with AsyncTestClient(app) as client:
        ok = await client.get("/page?n=20")
        too_big = await client.get("/page?n=500")
    assert ok.json() == 20
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["loc"] == ["query", "n"]


async def test_header_name_comes_from_the_parameter_name() -> None:
    app = LexigramApp()

    @app.get("/h")
    async def read(
        user_agent: str = header(), x_trace: str = header(alias="X-Trace-Id")
    ) -> list[str]:
        return [user_agent, x_trace]

    async with AsyncTestClient(app) as client:
        response = await client.get("/h", headers={"User-Agent": "ua/1", "X-Trace-Id": "t1"})
    assert response.json() == ["ua/1", "t1"]


async def test_cookie_parameter_reads_the_cookie() -> None:
    app = LexigramApp()

    @app.get("/c")
    async def read(session: str = cookie()) -> str:
        return session

    async with AsyncTestClient(app) as client:
        response = await client.get("/c", headers={"Cookie": "session=abc; other=1"})
    assert response.json() == "abc"


async def test_path_marker_with_alias() -> None:
    app = LexigramApp()

    @app.get("/u/{user-id}".replace("user-id", "uid"))
    async def read(user: int = path(alias="uid")) -> int:
        return user

    async with AsyncTestClient(app) as client:
        response = await client.get("/u/3")
    assert response.json() == 3


async def test_validation_callable_can_reject() -> None:
    app = LexigramApp()

    @app.get("/even")
    async def even(n: int = query(validation=lambda v: v % 2 == 0)) -> int:
        return n

    async with AsyncTestClient(app) as client:
        ok = await client.get("/even?n=4")
        odd = await client.get("/even?n=3")
    assert ok.json() == 4
    assert odd.status_code == 422
    assert odd.json()["errors"] == [
        {"loc": ["query", "n"], "msg": "Value failed validation", "type": "value_error"}
    ]


class Greeter:
    def greet(self, name: str) -> str:
        return f"hello {name}"


async def test_services_are_injected_by_type() -> None:
    app = LexigramApp()
    app.singleton(Greeter)

    @app.get("/greet/{name}")
    async def greet(name: str, greeter: Greeter) -> str:
        return greeter.greet(name)

    async with AsyncTestClient(app) as client:
        response = await client.get("/greet/ann")
    assert response.json() == "hello ann"


@dataclasses.dataclass
class Unregistered:
    value: int = 0


class NotAScalar:
    pass


async def test_unresolvable_parameter_fails_at_startup_naming_handler_and_parameter() -> None:
    app = LexigramApp()

    @app.get("/x")
    async def needs(thing: NotAScalar) -> None:
        return None

    with pytest.raises(ConfigurationError, match=r"needs .*'thing'.*container\.singleton"):
        await app.startup()


async def test_request_context_and_background_are_injected_by_type() -> None:
    app = LexigramApp()
    seen: list[Any] = []

    @app.get("/special")
    async def special(request: Request, context: ExecutionContext, tasks: BackgroundTasks) -> str:
        seen.extend([request, context, tasks])
        return request.url.path

    async with AsyncTestClient(app) as client:
        response = await client.get("/special")
    assert response.json() == "/special"
    request, context, tasks = seen
    assert isinstance(request, Request)
    assert context.request is request
    assert isinstance(tasks, BackgroundTasks)


async def test_request_validated_data_holds_the_bound_values() -> None:
    app = LexigramApp()
    seen: dict[str, Any] = {}

    @app.get("/v/{id:int}")
    async def show(id: int, request: Request, q: str = "x") -> None:
        seen.update(request.validated_data)

    async with AsyncTestClient(app) as client:
        await client.get("/v/3?q=y")
    assert seen["id"] == 3
    assert seen["q"] == "y"


async def test_a_handler_taking_only_path_parameters_sees_them_as_validated_data() -> None:
    seen: list[dict[str, Any]] = []

    class After:
        async def intercept(self, context: ExecutionContext, next_handler: Any) -> Any:
            seen.append(context.validated_data)  # before binding: nothing bound yet
            result = await next_handler.handle()
            seen.append(context.validated_data)
            return result

    app = LexigramApp(interceptors=[After()])

    @app.get("/orgs/{org}/items/{id:int}")
    async def item(org: str, id: int) -> dict[str, Any]:
        return {"org": org, "id": id}

    async with AsyncTestClient(app) as client:
        response = await client.get("/orgs/acme/items/7")
        missing = await client.get("/orgs/acme/items/x")
    assert response.json() == {"org": "acme", "id": 7}
    assert seen[:2] == [{}, {"org": "acme", "id": 7}]
    assert missing.status_code == 404


async def test_sync_handlers_run_too() -> None:
    app = LexigramApp()

    @app.get("/sync/{n:int}")
    def double(n: int) -> int:
        return n * 2

    async with AsyncTestClient(app) as client:
        response = await client.get("/sync/21")
    assert response.json() == 42


async def test_unregistered_optional_service_gets_its_default() -> None:
    app = LexigramApp()

    @app.get("/opt")
    async def opt(thing: NotAScalar | None = None) -> bool:
        return thing is None

    async with AsyncTestClient(app) as client:
        assert (await client.get("/opt")).json() is True
