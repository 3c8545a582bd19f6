"""A plain Starlette app rendering its errors with lexigram-http-errors' ASGI middleware."""

from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from starlette.websockets import WebSocketDisconnect as StarletteDisconnect

from lexigram.http_errors import (
    PROBLEM_JSON,
    ErrorStatusMap,
    HTTPError,
    NotFoundError,
    ProblemDetailsMiddleware,
    Redirect,
    TooManyRequestsError,
    WebSocketException,
    domain,
)

with warnings.catch_warnings():
    # Starlette's test client prefers httpx2 and warns when it falls back to httpx.
    warnings.filterwarnings("ignore", message=".*install `httpx2` instead", category=UserWarning)
    from starlette.testclient import TestClient

SECRET = "aws_secret_access_key=AKIA-NEVER-SHOWN"


class PaymentDeclined(Exception):
    pass


async def missing(request: Request) -> Response:
    raise NotFoundError(f"item {request.path_params['item_id']} not found")


async def cookies(request: Request) -> Response:
    raise HTTPError(401, "log in again", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])


async def limited(request: Request) -> Response:
    raise TooManyRequestsError("slow down", retry_after=2.1)


async def crash(request: Request) -> Response:
    raise RuntimeError(SECRET)


async def service_missing(request: Request) -> Response:
    raise domain.NotFoundError(resource="Order", identifier=7)


async def declined(request: Request) -> Response:
    raise PaymentDeclined("card declined")


async def moved(request: Request) -> Response:
    raise Redirect("/new-home", 308)


async def fine(request: Request) -> Response:
    return PlainTextResponse("ok")


async def guarded_socket(websocket: WebSocket) -> None:
    raise WebSocketException(4001, "token required")


ROUTES = [
    Route("/items/{item_id:int}", missing),
    Route("/cookies", cookies),
    Route("/limited", limited),
    Route("/crash", crash),
    Route("/orders", service_missing),
    Route("/pay", declined),
    Route("/old-home", moved),
    Route("/fine", fine, methods=["GET", "HEAD"]),
    WebSocketRoute("/ws", guarded_socket),
]


def make_client(*, debug: bool = False) -> TestClient:
    statuses = ErrorStatusMap({PaymentDeclined: 402})
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(ProblemDetailsMiddleware, debug=debug, status_map=statuses)],
    )
    return TestClient(app, raise_server_exceptions=True)


def test_http_error_is_a_problem_json_response() -> None:
    response = make_client().get("/items/3", headers={"X-Request-ID": "req-7"})
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "item 3 not found",
        "instance": "/items/3",
        "request_id": "req-7",
    }


def test_duplicate_set_cookie_headers_reach_the_client() -> None:
    response = make_client().get("/cookies")
    assert response.status_code == 401
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.cookies["a"] == "1"
    assert response.cookies["b"] == "2"


def test_retry_after_header_and_body() -> None:
    response = make_client().get("/limited")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json()["detail"] == "slow down"


def test_production_500_never_shows_the_exception() -> None:
    response = make_client().get("/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert SECRET not in response.text
    assert "RuntimeError" not in response.text
    assert response.json()["detail"] == "An internal error occurred."


def test_debug_500_shows_the_exception_and_traceback() -> None:
    response = make_client(debug=True).get("/crash")
    data = response.json()
    assert data["detail"] == f"RuntimeError: {SECRET}"
    assert any("raise RuntimeError" in line for line in data["traceback"])


def test_domain_errors_map_to_their_default_status() -> None:
    response = make_client().get("/orders")
    assert response.status_code == 404
    assert response.json()["detail"] == "Order '7' not found"


def test_the_app_status_map_is_used() -> None:
    response = make_client().get("/pay")
    assert response.status_code == 402
    assert response.json()["title"] == "Payment Required"


def test_redirect_sends_location_without_a_body() -> None:
    response = make_client().get("/old-home", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/new-home"
    assert response.content == b""


def test_successful_responses_are_untouched() -> None:
    response = make_client().get("/fine")
    assert (response.status_code, response.text) == (200, "ok")
    assert response.headers["content-type"].startswith("text/plain")


def test_websocket_exception_closes_the_socket_with_its_code() -> None:
    with pytest.raises(StarletteDisconnect) as closed, make_client().websocket_connect("/ws"):
        pass
    assert closed.value.code == 4001


def test_a_handler_can_answer_with_a_starlette_response() -> None:
    def on_402(scope: object, exc: BaseException) -> JSONResponse:
        return JSONResponse({"declined": str(exc)}, status_code=402)

    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(
                ProblemDetailsMiddleware,
                status_map=ErrorStatusMap({PaymentDeclined: 402}),
                handlers={402: on_402},
            )
        ],
    )
    response = TestClient(app).get("/pay")
    assert response.status_code == 402
    assert response.json() == {"declined": "card declined"}
