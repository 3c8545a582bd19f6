import httpx
import pytest
from starlette.types import Receive, Scope, Send

from lexigram.web.middleware import SecurityHeadersMiddleware


async def plain(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_defaults_are_nosniff_deny_and_a_strict_referrer_policy() -> None:
    async with client(SecurityHeadersMiddleware(plain)) as http:
        response = await http.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers
    assert "content-security-policy" not in response.headers


async def test_hsts_csp_and_the_optional_policies_are_sent_when_configured() -> None:
    app = SecurityHeadersMiddleware(
        plain,
        hsts_max_age=31_536_000,
        hsts_preload=True,
        content_security_policy="default-src 'self'",
        permissions_policy="geolocation=()",
        cross_origin_opener_policy="same-origin",
    )
    async with client(app) as http:
        response = await http.get("/")
    assert (
        response.headers["strict-transport-security"]
        == "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["content-security-policy"] == "default-src 'self'"
    assert response.headers["permissions-policy"] == "geolocation=()"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"


async def test_a_header_set_by_the_application_wins() -> None:
    async def framed(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"X-Frame-Options", b"SAMEORIGIN")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async with client(SecurityHeadersMiddleware(framed)) as http:
        response = await http.get("/")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_none_leaves_a_header_out() -> None:
    app = SecurityHeadersMiddleware(
        plain, content_type_options=False, frame_options=None, referrer_policy=None
    )
    async with client(app) as http:
        response = await http.get("/")
    assert "x-frame-options" not in response.headers
    assert "x-content-type-options" not in response.headers
    assert "referrer-policy" not in response.headers
    assert app.headers == []


def test_an_unknown_frame_option_is_refused() -> None:
    with pytest.raises(ValueError, match="'DENY', 'SAMEORIGIN'"):
        SecurityHeadersMiddleware(plain, frame_options="ALLOW-FROM x")


def test_hsts_preload_without_the_preload_requirements_is_refused() -> None:
    with pytest.raises(ValueError, match="31536000"):
        SecurityHeadersMiddleware(plain, hsts_max_age=60, hsts_preload=True)


def test_a_header_value_with_a_newline_is_refused() -> None:
    with pytest.raises(ValueError, match="CR, LF"):
        SecurityHeadersMiddleware(plain, content_security_policy="a\r\nb: c")
