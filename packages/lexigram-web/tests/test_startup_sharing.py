"""Startup shares what routes declared alike have in common: a GET route and its HEAD run one
pipeline; renderers, error responders, pydantic adapters and (for one handler definition) the
binding plan are built once; the OpenAPI document is kept as JSON only."""

import gc
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional

import orjson
from pydantic import BaseModel, Field

from lexigram.di import Container
from lexigram.http_errors import ErrorStatusMap
from lexigram.web import Controller, ExecutionContext, LexigramApp, api_version, get, query
from lexigram.web._binding.compiler import PlanCache, compile_binding
from lexigram.web._binding.validation import Adapters
from lexigram.web._config.web_config import OpenAPIConfig
from lexigram.web._declare.decorators import RouteConfig
from lexigram.web._openapi._document import build_openapi, openapi_json
from lexigram.web._shared_parts import SharedParts
from lexigram.web.testing import AsyncTestClient


def _route(i: int) -> Any:
    async def handler(id: int) -> dict[str, int]:
        return {"route": i, "id": id}

    return handler


async def _objects_kept(count: int) -> int:
    """GC-tracked objects a started app with ``count`` routes alike keeps."""
    gc.collect()
    before = len(gc.get_objects())
    app = LexigramApp()
    for i in range(count):
        app.get(f"/r{i}/{{id:int}}")(_route(i))
    async with app.lifespan():
        gc.collect()
        return len(gc.get_objects()) - before


async def test_a_route_declared_like_the_others_keeps_few_objects() -> None:
    per_route = (await _objects_kept(220) - await _objects_kept(20)) / 200
    # its handler and declaration, its binding, one pipeline for GET and HEAD, its router
    # entries; no renderer, error-status map, adapter or document part of its own
    assert per_route < 70


async def test_a_get_route_and_its_head_answer_from_one_pipeline() -> None:
    app = LexigramApp()
    seen: list[tuple[str, bool]] = []

    @app.get("/things/{id:int}")
    async def thing(id: int, context: ExecutionContext) -> dict[str, int]:
        seen.append((context.route.method, context.route.auto_head))
        return {"id": id}

    async with AsyncTestClient(app) as client:
        got, head = await client.get("/things/3"), await client.head("/things/3")
        compiled = app._compiled
        assert compiled is not None
        endpoint = compiled.router.lookup("GET", "/things/3")[0]
        head_endpoint = compiled.router.lookup("HEAD", "/things/3")[0]
    assert (got.status_code, got.json()) == (200, {"id": 3})
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == got.headers["content-length"]
    assert seen == [("GET", False), ("HEAD", True)]
    assert endpoint is not head_endpoint
    assert endpoint is not None and head_endpoint is not None
    shared = {id(c) for c in endpoint.__closure__ or ()} & {
        id(c) for c in head_endpoint.__closure__ or ()
    }
    assert shared  # the same compiled steps, not a second copy


def _plan_of(fn: Any, cache: PlanCache, *, path_types: dict[str, type] | None = None) -> Any:
    return compile_binding(
        fn,
        label="handler",
        skip_first=False,
        path_types={"id": int} if path_types is None else path_types,
        container=Container(),
        plan_cache=cache,
    )


def test_handlers_of_one_definition_share_their_binding_plan() -> None:
    cache: PlanCache = {}
    first = _plan_of(_route(1), cache)
    assert _plan_of(_route(2), cache) is first
    assert _plan_of(_route(3), cache, path_types={"id": str}) is not first
    assert len(cache) == 2


def test_handlers_of_other_definitions_or_with_pipes_get_their_own_plan() -> None:
    class Upper:
        def transform(self, value: Any, metadata: Any) -> Any:
            return str(value).upper()

    def piped(i: int) -> Any:
        async def handler(id: int, q: str = query(pipes=[Upper()])) -> dict[str, Any]:
            return {"route": i, "q": q}

        return handler

    async def other(id: int) -> dict[str, int]:
        return {"id": id}

    cache: PlanCache = {}
    assert _plan_of(other, cache) is not _plan_of(_route(1), cache)
    assert _plan_of(piped(1), cache) is not _plan_of(piped(2), cache)
    assert len(cache) == 2  # the piped handlers' plans are not kept


def test_parameters_of_one_type_share_one_adapter() -> None:
    adapters = Adapters()
    assert adapters.get(int) is adapters.get(int)
    assert adapters.get(int | None) is adapters.get(Optional[int])  # noqa: UP045
    assert adapters.get(list[int]) is adapters.get(list[int])
    assert adapters.get(int | str) is not adapters.get(str | int)  # member order matters
    assert adapters.get(Literal[1]) is not adapters.get(Literal[1])
    bounded = Annotated[int, Field(ge=1)]
    assert adapters.get(bounded) is not adapters.get(bounded)
    assert adapters.get(str | int).validate_python("1") == "1"


def test_routes_alike_share_a_renderer_and_an_error_responder() -> None:
    shared = SharedParts(debug=False)
    statuses = ErrorStatusMap()
    plain = RouteConfig("GET", "/a")
    created = RouteConfig("POST", "/b", status_code=201)
    renderer = shared.renderer(plain, statuses, dict[str, int], "GET /a")
    assert shared.renderer(RouteConfig("GET", "/c"), statuses, dict[str, int], "GET /c") is renderer
    assert shared.renderer(created, statuses, dict[str, int], "POST /b") is not renderer
    assert shared.renderer(plain, ErrorStatusMap(), dict[str, int], "GET /a") is not renderer
    responder = shared.responder(None, statuses, renderer)
    assert shared.responder(None, statuses, renderer) is responder
    other = shared.renderer(created, statuses, None, "POST /b")
    assert shared.responder(None, statuses, other) is not responder


def test_routes_with_a_response_model_keep_their_own_renderer_on_one_adapter() -> None:
    shared = SharedParts(debug=False)
    statuses = ErrorStatusMap()
    first = shared.renderer(RouteConfig("GET", "/a"), statuses, Item, "GET /a")
    second = shared.renderer(RouteConfig("GET", "/b"), statuses, Item, "GET /b")
    assert first is not second  # a mismatch is logged naming its own route
    assert first.model is not None and second.model is not None
    assert (first.model.route, second.model.route) == ("GET /a", "GET /b")
    assert first.model.adapter is second.model.adapter


class Item(BaseModel):
    name: str
    price: float = 1.5


@dataclass
class Example:
    note: str


class ThingsController(Controller):
    prefix = "/things"

    @get("/")
    @api_version(1)
    async def list_v1(self, limit: int = 10) -> list[Item]:
        return []

    @get("/")
    @api_version(2)
    async def list_v2(self, tag: str | None = None) -> list[str]:
        return []


async def test_the_served_document_is_the_document_build_openapi_makes() -> None:
    app = LexigramApp(controllers=[ThingsController])

    @app.post("/items", status_code=201, responses={409: {"description": "taken"}})
    async def create(item: Item, dry: bool = False) -> Item:
        """Create an item.

        It is stored."""
        return item

    @app.get("/items/{id:int}", responses={200: {"example": Example("kept")}})
    async def show(id: int) -> Item:
        return Item(name="a")

    async with AsyncTestClient(app) as client:
        served = (await client.get("/openapi.json")).json()
        document = app.openapi()
        routes = list(app.routes)
    config = OpenAPIConfig()
    built = orjson.loads(orjson.dumps(build_openapi(routes, config)))
    assert orjson.loads(openapi_json(routes, config)) == built
    assert served == built == document
    assert served["paths"]["/items/{id}"]["get"]["responses"]["200"]["example"] == {"note": "kept"}
    assert served["paths"]["/items"]["post"]["summary"] == "Create an item."


async def test_no_collection_while_the_document_is_built() -> None:
    enabled: list[bool] = []

    def record(schema: dict[str, Any]) -> None:
        enabled.append(gc.isenabled())

    class Recorded(BaseModel):
        model_config = {"json_schema_extra": record}
        name: str

    app = LexigramApp()

    @app.get("/recorded")
    async def recorded() -> Recorded:
        return Recorded(name="a")

    async with app.lifespan():
        assert gc.isenabled()
    assert enabled == [False]
