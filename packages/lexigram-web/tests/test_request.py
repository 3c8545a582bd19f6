"""The ``Request`` wrapper: proxy-aware ip, user, request id, content negotiation helpers."""

from typing import Any

import pytest

from lexigram.web import ExecutionContext, LexigramApp, Request
from lexigram.web._http.settings import RequestSettings
from lexigram.web.testing import AsyncTestClient


def make_request(
    headers: list[tuple[bytes, bytes]] | None = None,
    client: tuple[str, int] | None = ("10.0.0.5", 1234),
    trusted: tuple[str, ...] = (),
    **scope: Any,
) -> Request:
    base: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": headers or [],
        "client": client,
    }
    base.update(scope)
    return Request(base, settings=RequestSettings(trusted_proxies=trusted))


def test_ip_ignores_forwarded_for_from_an_untrusted_peer() -> None:
    request = make_request([(b"x-forwarded-for", b"1.2.3.4")])
    assert request.ip == "10.0.0.5"


def test_ip_uses_forwarded_for_from_a_trusted_proxy() -> None:
    request = make_request([(b"x-forwarded-for", b"1.2.3.4, 10.0.0.9")], trusted=("10.0.0.0/8",))
    assert request.ip == "1.2.3.4"


def test_ip_skips_trusted_hops_from_the_right() -> None:
    request = make_request(
        [(b"x-forwarded-for", b"6.6.6.6, 1.2.3.4"), (b"x-forwarded-for", b"10.0.0.7")],
        trusted=("10.0.0.0/8",),
    )
    assert request.ip == "1.2.3.4"


def test_ip_without_forwarded_for_is_the_peer() -> None:
    assert make_request(trusted=("*",)).ip == "10.0.0.5"


def test_invalid_trusted_proxy_is_refused() -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        RequestSettings(trusted_proxies=["proxy.local"])


def test_user_and_auth_are_none_without_auth_middleware() -> None:
    request = make_request()
    assert (request.user, request.auth) == (None, None)


def test_user_and_request_id_come_from_scope_and_state() -> None:
    request = make_request(user="ann", state={"request_id": "r-1"})
    assert (request.user, request.request_id) == ("ann", "r-1")


def test_is_json_and_accepted_types() -> None:
    request = make_request(
        [
            (b"content-type", b"application/vnd.api+json; charset=utf-8"),
            (b"accept", b"text/html;q=0.5, application/json, */*;q=0.1"),
        ]
    )
    assert request.is_json
    assert request.accepted_types == ["application/json", "text/html", "*/*"]


def test_request_is_its_own_starlette_request() -> None:
    request = make_request()
    assert request.request is request


async def test_trusted_proxies_setting_reaches_request_ip() -> None:
    app = LexigramApp(trusted_proxies=["127.0.0.1"])

    @app.get("/ip")
    async def ip(request: Request) -> str:
        return request.ip

    async with AsyncTestClient(app) as client:
        response = await client.get("/ip", headers={"X-Forwarded-For": "9.9.9.9"})
    assert response.json() == "9.9.9.9"


async def test_request_app_is_the_lexigram_app() -> None:
    app = LexigramApp()
    seen: list[Any] = []

    @app.get("/a")
    async def a(request: Request) -> None:
        seen.append(request.app)

    async with AsyncTestClient(app) as client:
        await client.get("/a")
    assert seen == [app]


async def test_header_injection_through_add_header_is_refused() -> None:
    app = LexigramApp()

    @app.get("/h")
    async def h(context: ExecutionContext, value: str) -> None:
        context.add_header("X-Echo", value)

    async with AsyncTestClient(app) as client:
        response = await client.get("/h", params={"value": "a\r\nSet-Cookie: x=1"})
    assert response.status_code == 500
    assert "set-cookie" not in response.headers


def test_add_header_checks_every_name_and_value_also_once_a_name_was_seen() -> None:
    settings = RequestSettings()
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    for value in ("1", "2"):
        request = Request(scope, settings=settings)
        request.add_header("X-Stamp", value)
        assert request.response_headers == [(b"x-stamp", value.encode())]
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            request.add_header("X-Stamp", "a\r\nSet-Cookie: x=1")
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            request.add_header("X-Bad\r\nSet-Cookie", "1")
    assert settings.header_names == {"X-Stamp": b"x-stamp"}


def test_a_request_outside_an_app_keeps_no_header_names() -> None:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    request = Request(scope)
    request.add_header("X-One", "1")
    assert request.response_headers == [(b"x-one", b"1")]
    assert request.settings.header_names == {}
