import httpx
import pytest
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from lexigram.di import Container
from lexigram.web import LexigramApp
from lexigram.web._config.web_config import CORSConfig, GZipConfig, SecurityHeadersConfig, WebConfig
from lexigram.web.middleware import (
    BodySizeLimitMiddleware,
    CORSMiddleware,
    DefaultMiddlewareStack,
    GZipMiddleware,
    QuerySanitizerMiddleware,
    RequestIDMiddleware,
    SecurityHeadersMiddleware,
    TrustedHostMiddleware,
    apply_middleware,
)


async def plain(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


class Marker:
    """A user middleware that tags responses."""

    def __init__(self, app: ASGIApp, tag: str = "marker") -> None:
        self.app = app
        self.tag = tag

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://api.example.com")


def test_the_default_stack_is_request_id_security_headers_body_limit_query() -> None:
    classes: list[object] = [entry.cls for entry in DefaultMiddlewareStack().build()]
    assert classes == [
        RequestIDMiddleware,
        SecurityHeadersMiddleware,
        BodySizeLimitMiddleware,
        QuerySanitizerMiddleware,
    ]


def test_the_full_stack_is_in_the_documented_order_with_extras_in_front() -> None:
    config = WebConfig(
        gzip=GZipConfig(enabled=True),
        trusted_hosts=("api.example.com",),
        cors=CORSConfig(allow_origins=("https://app.example.com",)),
    )
    stack = DefaultMiddlewareStack(config, extra_middlewares=[Marker, Middleware(Marker, "b")])
    classes: list[object] = [entry.cls for entry in stack.build()]
    assert classes == [
        Marker,
        Marker,
        RequestIDMiddleware,
        SecurityHeadersMiddleware,
        GZipMiddleware,
        TrustedHostMiddleware,
        CORSMiddleware,
        BodySizeLimitMiddleware,
        QuerySanitizerMiddleware,
    ]


def test_switched_off_parts_are_left_out() -> None:
    config = WebConfig(security_headers=SecurityHeadersConfig(enabled=False), max_body_size=None)
    classes: list[object] = [entry.cls for entry in DefaultMiddlewareStack(config).build()]
    assert classes == [RequestIDMiddleware, QuerySanitizerMiddleware]


def test_apply_middleware_wraps_outermost_first() -> None:
    wrapped = apply_middleware(plain, [Middleware(Marker, "outer"), Middleware(Marker, "inner")])
    assert isinstance(wrapped, Marker)
    assert wrapped.tag == "outer"
    assert isinstance(wrapped.app, Marker)
    assert wrapped.app.tag == "inner"
    assert wrapped.app.app is plain


def test_an_extra_that_is_not_a_class_or_middleware_names_the_fix() -> None:
    with pytest.raises(TypeError, match=r"Middleware\(MyMiddleware, option=...\)"):
        DefaultMiddlewareStack(extra_middlewares=[Marker(plain)])


async def test_errors_from_inner_middleware_carry_the_request_id_and_cors_headers() -> None:
    config = WebConfig(
        max_body_size=4,
        trusted_hosts=("api.example.com",),
        cors=CORSConfig(allow_origins=("https://app.example.com",)),
    )
    app = apply_middleware(plain, DefaultMiddlewareStack(config).build())
    async with client(app) as http:
        response = await http.post(
            "/upload",
            content=b"too large",
            headers={"Origin": "https://app.example.com", "X-Request-ID": "req-7"},
        )
    assert response.status_code == 413
    assert response.json()["request_id"] == "req-7"
    assert response.headers["x-request-id"] == "req-7"
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_configured_request_id_header_is_used() -> None:
    config = WebConfig(request_id_header="X-Trace", trust_request_id=False)
    app = apply_middleware(plain, DefaultMiddlewareStack(config).build())
    async with client(app) as http:
        response = await http.get("/", headers={"X-Trace": "client-value"})
    assert response.headers["x-trace"] != "client-value"
    assert len(response.headers["x-trace"]) == 32


async def test_the_default_stack_wraps_a_lexigram_app() -> None:
    config = WebConfig(max_body_size=8)
    app = LexigramApp(config=config)

    @app.post("/echo")
    async def echo() -> dict[str, str]:
        return {"ok": "yes"}

    async with app.lifespan(), client(app) as http:
        missing = await http.get("/missing", headers={"X-Request-ID": "trace-1"})
        too_large = await http.post("/echo", content=b"0123456789")
        fine = await http.post("/echo")
    assert missing.status_code == 404
    assert missing.json()["request_id"] == "trace-1"
    assert missing.headers["x-frame-options"] == "DENY"
    assert too_large.status_code == 413
    assert too_large.json()["instance"] == "/echo"
    assert fine.json() == {"ok": "yes"}


class Timing:
    """A call-next instance: ``dispatch(request, call_next)``, as migrated apps write them."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        self.seen.append(request.url.path)
        response = await call_next(request)
        response.headers["x-timed"] = "yes"
        return response


async def tag_function(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    response.headers["x-function"] = "yes"
    return response


async def test_call_next_instances_run_in_front_of_the_defaults() -> None:
    timing = Timing()
    stack = DefaultMiddlewareStack(extra_middlewares=[timing, tag_function, (Marker, {"tag": "t"})])
    entries = stack.build()
    classes: list[object] = [entry.cls for entry in entries]
    assert classes[:4] == [BaseHTTPMiddleware, BaseHTTPMiddleware, Marker, RequestIDMiddleware]
    async with client(apply_middleware(plain, entries)) as http:
        response = await http.get("/timed")
    assert timing.seen == ["/timed"]
    assert (response.headers["x-timed"], response.headers["x-function"]) == ("yes", "yes")
    assert response.headers["x-request-id"]


def test_the_config_is_read_from_the_container_when_given_one() -> None:
    container = Container()
    container.singleton(WebConfig, instance=WebConfig(max_body_size=None))
    for stack in (DefaultMiddlewareStack(container=container), DefaultMiddlewareStack(container)):
        assert stack.config.max_body_size is None
        classes: list[object] = [entry.cls for entry in stack.build()]
        assert BodySizeLimitMiddleware not in classes
    assert DefaultMiddlewareStack(container=Container()).config == WebConfig()


def test_a_first_argument_that_is_neither_config_nor_container_is_refused() -> None:
    with pytest.raises(TypeError, match="takes a WebConfig or a container"):
        DefaultMiddlewareStack({"max_body_size": 1})  # type: ignore[arg-type]


def test_an_extra_pair_must_be_a_class_and_its_options() -> None:
    with pytest.raises(TypeError, match=r"not a \(class, \{options\}\) pair"):
        DefaultMiddlewareStack(extra_middlewares=[(Marker, "t")])
