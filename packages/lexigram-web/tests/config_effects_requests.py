"""Effect checks of the request-handling settings: errors, limits, ids, CORS, headers, gzip.

Each check makes the same request with the default ``WebConfig`` and with one setting changed
(``both``), and asserts the answers differ in the way the setting says.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from config_effects_probe import Check, Env, both, call, config, preflight, probe_app
from starlette.types import Message

from lexigram.web import ConfigurationError, LexigramApp, WebConfig

CORS = {"cors.allow_origins": ["https://app.example"]}
HSTS = {"security_headers.hsts": True}
GZIP = {"gzip.enabled": True}
ZIP = {"Accept-Encoding": "gzip"}


async def debug(env: Env) -> None:
    before, after = await both({"debug": True}, "GET", "/boom")
    assert before.status_code == after.status_code == 500
    assert "the secret detail" not in before.text
    assert "the secret detail" in after.text


async def trusted_hosts(env: Env) -> None:
    before, after = await both({"trusted_hosts": ["api.example.com"]}, "GET", "/")
    assert (before.status_code, after.status_code) == (200, 400)


async def trusted_proxies(env: Env) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    before, after = await both({"trusted_proxies": ["127.0.0.1"]}, "GET", "/ip", headers=forwarded)
    assert (before.json(), after.json()) == ("127.0.0.1", "203.0.113.9")


async def max_body_size(env: Env) -> None:
    before, after = await both({"max_body_size": 16}, "POST", "/upload", json={"a": "x" * 40})
    assert (before.status_code, after.status_code) == (200, 413)


async def max_query_length(env: Env) -> None:
    before, after = await both({"max_query_length": 8}, "GET", "/echo?q=longer-than-eight")
    assert (before.status_code, after.status_code) == (200, 414)


async def sanitize_query_params(env: Env) -> None:
    before, after = await both({"sanitize_query_params": False}, "GET", "/echo?q=a%01b")
    assert (before.status_code, after.status_code) == (400, 200)


async def query_control_chars(env: Env) -> None:
    before, after = await both({"query_control_chars": "strip"}, "GET", "/echo?q=a%01b")
    assert (before.status_code, after.json()) == (400, "ab")


async def strict_body(env: Env) -> None:
    before, after = await both({"strict_body": False}, "POST", "/count", json={"a": "2"})
    assert (before.status_code, after.status_code) == (422, 200)
    assert after.json() == 2


async def _post_slowly(settings: Mapping[str, Any] | None) -> int:
    """POST a JSON body to /count whose second half arrives 0.3 s after the first; the status."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/count", "raw_path": b"/count", "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80),
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"8")],
    }  # fmt: skip
    parts = [b'{"a":', b" 2}"]
    sent: list[Message] = []

    async def receive() -> Message:
        if len(parts) == 1:
            await asyncio.sleep(0.3)
        return {"type": "http.request", "body": parts.pop(0), "more_body": bool(parts)}

    async def send(message: Message) -> None:
        sent.append(message)

    app = probe_app(config(settings))
    async with app.lifespan():
        async with asyncio.timeout(10):  # far above the delay: a hang fails the check
            await app(scope, receive, send)
    status: int = sent[0]["status"]
    return status


async def body_timeout(env: Env) -> None:
    assert (await _post_slowly(None), await _post_slowly({"body_timeout": 0.1})) == (200, 408)


async def validation_status(env: Env) -> None:
    before, after = await both({"validation_status": 400}, "GET", "/need")
    assert (before.status_code, after.status_code) == (422, 400)


def _twice(web: WebConfig) -> LexigramApp:
    app = LexigramApp(config=web)

    @app.get("/dup")
    async def first() -> int:
        return 1

    @app.get("/dup")
    async def second() -> int:
        return 2

    return app


async def fail_on_route_conflict(env: Env) -> None:
    with pytest.raises(ConfigurationError, match="fail_on_route_conflict=False"):
        await call(None, "GET", "/dup", app=_twice)
    assert (await call({"fail_on_route_conflict": False}, "GET", "/dup", app=_twice)).json() == 2


async def request_id_header(env: Env) -> None:
    before, after = await both({"request_id_header": "X-Trace-ID"}, "GET", "/")
    assert "x-trace-id" not in before.headers
    assert after.headers["x-trace-id"]
    assert "x-request-id" not in after.headers


async def trust_request_id(env: Env) -> None:
    sent = {"X-Request-ID": "from-the-proxy"}
    before, after = await both({"trust_request_id": False}, "GET", "/", headers=sent)
    assert before.headers["x-request-id"] == "from-the-proxy"
    assert after.headers["x-request-id"] != "from-the-proxy"


async def cors_allow_origins(env: Env) -> None:
    before, after = await both(CORS, "OPTIONS", "/", headers=preflight())
    assert before.status_code == 405
    assert after.status_code == 204
    assert after.headers["access-control-allow-origin"] == "https://app.example"


async def cors_allow_origin_regex(env: Env) -> None:
    regex = {"cors.allow_origin_regex": r"https://[a-z]+\.example"}
    before, after = await both(regex, "OPTIONS", "/", headers=preflight())
    assert (before.status_code, after.status_code) == (405, 204)


async def cors_allow_methods(env: Env) -> None:
    before, after = await both(
        {"cors.allow_methods": ["GET"]}, "OPTIONS", "/", base=CORS, headers=preflight("PUT")
    )
    assert (before.status_code, after.status_code) == (204, 400)


async def cors_allow_headers(env: Env) -> None:
    ask = preflight("GET", "X-Token")
    before, after = await both(
        {"cors.allow_headers": ["X-Token"]}, "OPTIONS", "/", base=CORS, headers=ask
    )
    assert (before.status_code, after.status_code) == (400, 204)


async def cors_allow_credentials(env: Env) -> None:
    before, after = await both(
        {"cors.allow_credentials": True}, "OPTIONS", "/", base=CORS, headers=preflight()
    )
    assert "access-control-allow-credentials" not in before.headers
    assert after.headers["access-control-allow-credentials"] == "true"


async def cors_expose_headers(env: Env) -> None:
    origin = {"Origin": "https://app.example"}
    before, after = await both(
        {"cors.expose_headers": ["X-Total"]}, "GET", "/", base=CORS, headers=origin
    )
    assert "access-control-expose-headers" not in before.headers
    assert after.headers["access-control-expose-headers"] == "X-Total"


async def cors_max_age(env: Env) -> None:
    before, after = await both({"cors.max_age": 60}, "OPTIONS", "/", base=CORS, headers=preflight())
    assert (before.headers["access-control-max-age"], after.headers["access-control-max-age"]) == (
        "600",
        "60",
    )


def _header_check(
    settings: Mapping[str, object],
    name: str,
    old: str | None,
    new: str | None,
    base: Mapping[str, object] | None = None,
) -> Check:
    async def check(env: Env) -> None:
        before, after = await both(settings, "GET", "/", base=base)
        assert (before.headers.get(name), after.headers.get(name)) == (old, new)

    return check


async def gzip_enabled(env: Env) -> None:
    before, after = await both(GZIP, "GET", "/big", headers=ZIP)
    assert "content-encoding" not in before.headers
    assert after.headers["content-encoding"] == "gzip"


async def gzip_minimum_size(env: Env) -> None:
    size = len((await call(None, "GET", "/big")).content)
    before, after = await both(
        {"gzip.minimum_size": size + 1}, "GET", "/big", base=GZIP, headers=ZIP
    )
    assert before.headers.get("content-encoding") == "gzip"
    assert "content-encoding" not in after.headers


async def gzip_level(env: Env) -> None:
    before, after = await both({"gzip.level": 1}, "GET", "/big", base=GZIP, headers=ZIP)
    assert int(after.headers["content-length"]) > int(before.headers["content-length"])
    assert before.json() == after.json()


async def gzip_excluded_media_types(env: Env) -> None:
    excluded = {"gzip.excluded_media_types": ["application/json"]}
    before, after = await both(excluded, "GET", "/big", base=GZIP, headers=ZIP)
    assert before.headers.get("content-encoding") == "gzip"
    assert "content-encoding" not in after.headers


SH = "security_headers"
CHECKS: dict[str, Check] = {
    "debug": debug,
    "trusted_hosts": trusted_hosts,
    "trusted_proxies": trusted_proxies,
    "max_body_size": max_body_size,
    "max_query_length": max_query_length,
    "sanitize_query_params": sanitize_query_params,
    "query_control_chars": query_control_chars,
    "strict_body": strict_body,
    "body_timeout": body_timeout,
    "validation_status": validation_status,
    "fail_on_route_conflict": fail_on_route_conflict,
    "request_id_header": request_id_header,
    "trust_request_id": trust_request_id,
    "cors.allow_origins": cors_allow_origins,
    "cors.allow_origin_regex": cors_allow_origin_regex,
    "cors.allow_methods": cors_allow_methods,
    "cors.allow_headers": cors_allow_headers,
    "cors.allow_credentials": cors_allow_credentials,
    "cors.expose_headers": cors_expose_headers,
    "cors.max_age": cors_max_age,
    f"{SH}.enabled": _header_check({f"{SH}.enabled": False}, "x-frame-options", "DENY", None),
    f"{SH}.content_type_options": _header_check(
        {f"{SH}.content_type_options": False}, "x-content-type-options", "nosniff", None
    ),
    f"{SH}.frame_options": _header_check(
        {f"{SH}.frame_options": "SAMEORIGIN"}, "x-frame-options", "DENY", "SAMEORIGIN"
    ),
    f"{SH}.referrer_policy": _header_check(
        {f"{SH}.referrer_policy": "no-referrer"},
        "referrer-policy",
        "strict-origin-when-cross-origin",
        "no-referrer",
    ),
    f"{SH}.hsts": _header_check(
        HSTS, "strict-transport-security", None, "max-age=31536000; includeSubDomains"
    ),
    f"{SH}.hsts_max_age": _header_check(
        {f"{SH}.hsts_max_age": 60},
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
        "max-age=60; includeSubDomains",
        base=HSTS,
    ),
    f"{SH}.hsts_include_subdomains": _header_check(
        {f"{SH}.hsts_include_subdomains": False},
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
        "max-age=31536000",
        base=HSTS,
    ),
    f"{SH}.hsts_preload": _header_check(
        {f"{SH}.hsts_preload": True},
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
        "max-age=31536000; includeSubDomains; preload",
        base=HSTS,
    ),
    f"{SH}.content_security_policy": _header_check(
        {f"{SH}.content_security_policy": "default-src 'self'"},
        "content-security-policy",
        None,
        "default-src 'self'",
    ),
    f"{SH}.permissions_policy": _header_check(
        {f"{SH}.permissions_policy": "camera=()"}, "permissions-policy", None, "camera=()"
    ),
    f"{SH}.cross_origin_opener_policy": _header_check(
        {f"{SH}.cross_origin_opener_policy": "same-origin"},
        "cross-origin-opener-policy",
        None,
        "same-origin",
    ),
    "gzip.enabled": gzip_enabled,
    "gzip.minimum_size": gzip_minimum_size,
    "gzip.level": gzip_level,
    "gzip.excluded_media_types": gzip_excluded_media_types,
}

__all__ = ["CHECKS", "config", "probe_app"]
