"""Exception filters: handler, controller and app levels, type and status keys, fallbacks."""

from typing import Any

from lexigram.http_errors import NotFoundError
from lexigram.web import (
    Controller,
    ExecutionContext,
    JSONResponse,
    LexigramApp,
    Request,
    catch,
    error_status,
    get,
    use_filters,
)
from lexigram.web.testing import AsyncTestClient


class PaymentDeclined(Exception):
    pass


@catch(KeyError)
class KeyErrorFilter:
    def catch(self, exc: BaseException, context: ExecutionContext) -> Any:
        return JSONResponse({"filter": "key", "path": context.path}, status_code=409)


@catch(404)
class NotFoundPage:
    async def catch(self, exc: BaseException, context: ExecutionContext) -> Any:
        return {"custom": "not here"}


def level(name: str) -> Any:
    def handler(request: Request, exc: Exception) -> Any:
        return JSONResponse({"level": name}, status_code=418)

    return handler


async def test_handler_level_beats_controller_and_app() -> None:
    class Things(Controller):
        exception_handlers = {ValueError: level("controller")}  # noqa: RUF012

        @get("/a", exception_handlers={ValueError: level("handler")})
        async def a(self) -> None:
            raise ValueError("x")

        @get("/b")
        async def b(self) -> None:
            raise ValueError("x")

    app = LexigramApp(controllers=[Things], exception_handlers={ValueError: level("app")})

    @app.get("/c")
    async def c() -> None:
        raise ValueError("x")

    async with AsyncTestClient(app) as client:
        answers = [(await client.get(p)).json()["level"] for p in ("/a", "/b", "/c")]
    assert answers == ["handler", "controller", "app"]


async def test_handler_keyed_by_status_code() -> None:
    app = LexigramApp(exception_handlers={404: level("status")})

    @app.get("/missing")
    async def missing() -> None:
        raise NotFoundError("gone")

    async with AsyncTestClient(app) as client:
        response = await client.get("/missing")
    assert (response.status_code, response.json()) == (418, {"level": "status"})


async def test_catch_filter_class_handles_its_exception() -> None:
    app = LexigramApp()

    @app.get("/k")
    @use_filters(KeyErrorFilter)
    async def k() -> None:
        raise KeyError("k")

    async with AsyncTestClient(app) as client:
        response = await client.get("/k")
    assert (response.status_code, response.json()) == (409, {"filter": "key", "path": "/k"})


async def test_filter_result_is_rendered_with_the_error_status() -> None:
    app = LexigramApp(filters=[NotFoundPage()])

    async with AsyncTestClient(app) as client:
        response = await client.get("/nowhere")
    assert (response.status_code, response.json()) == (404, {"custom": "not here"})


async def test_unhandled_errors_fall_back_to_problem_json() -> None:
    app = LexigramApp(exception_handlers={KeyError: level("app")})

    @app.get("/v")
    async def v() -> None:
        raise NotFoundError("no user 7")

    async with AsyncTestClient(app) as client:
        response = await client.get("/v")
    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no user 7",
        "instance": "/v",
        "request_id": response.headers["x-request-id"],
    }


async def test_failing_exception_handler_gives_a_generic_500() -> None:
    def broken(request: Request, exc: Exception) -> Any:
        raise RuntimeError("handler secret")

    app = LexigramApp(exception_handlers={ValueError: broken})

    @app.get("/v")
    async def v() -> None:
        raise ValueError("x")

    async with AsyncTestClient(app) as client:
        response = await client.get("/v")
    assert response.status_code == 500
    assert "secret" not in response.text


async def test_a_failing_filter_on_an_unrouted_request_gives_a_generic_500() -> None:
    def broken(request: Request, exc: Exception) -> Any:
        raise RuntimeError("filter secret")

    app = LexigramApp(exception_handlers={404: broken})

    async with AsyncTestClient(app) as client:
        response = await client.get("/nowhere")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


async def test_a_filter_on_an_unrouted_request_gets_a_request_and_can_add_headers() -> None:
    def method_not_allowed(request: Request, exc: Exception) -> Any:
        request.add_header("X-Seen", f"{request.method} {request.path}")
        return {"error": type(exc).__name__}

    app = LexigramApp(exception_handlers={405: method_not_allowed})

    @app.get("/only-get")
    async def only_get() -> str:
        return "ok"

    async with AsyncTestClient(app) as client:
        response = await client.post("/only-get")
    assert (response.status_code, response.json()) == (405, {"error": "MethodNotAllowedError"})
    assert response.headers["x-seen"] == "POST /only-get"


async def test_error_status_is_scoped_to_the_decorated_controller() -> None:
    @error_status(PaymentDeclined, 402)
    class Billing(Controller):
        @get("/billing")
        async def pay(self) -> None:
            raise PaymentDeclined("card declined")

    class Other(Controller):
        @get("/other")
        async def pay(self) -> None:
            raise PaymentDeclined("card declined")

    app = LexigramApp(controllers=[Billing, Other])
    async with AsyncTestClient(app) as client:
        billing = await client.get("/billing")
        other = await client.get("/other")
    assert billing.status_code == 402
    assert billing.json()["detail"] == "card declined"
    assert other.status_code == 500


async def test_app_error_status_applies_to_the_app_only() -> None:
    first = LexigramApp()
    first.error_status(PaymentDeclined, 402)
    second = LexigramApp()
    for app in (first, second):

        @app.get("/pay")
        async def pay() -> None:
            raise PaymentDeclined("declined")

    async with AsyncTestClient(first) as client:
        assert (await client.get("/pay")).status_code == 402
    async with AsyncTestClient(second) as client:
        assert (await client.get("/pay")).status_code == 500
