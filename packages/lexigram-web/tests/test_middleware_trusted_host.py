import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from lexigram.web.middleware import TrustedHostMiddleware


async def plain(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def client(app: object, base_url: str = "http://api.example.com") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest.mark.parametrize(
    "host", ["api.example.com", "API.EXAMPLE.COM", "api.example.com:8443", "eu.cdn.example.net"]
)
async def test_trusted_hosts_pass(host: str) -> None:
    app = TrustedHostMiddleware(plain, allowed_hosts=["api.example.com", "*.cdn.example.net"])
    async with client(app) as http:
        response = await http.get("/", headers={"Host": host})
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "cdn.example.net", "api.example.com.evil"])
async def test_other_hosts_get_a_400_problem(host: str) -> None:
    app = TrustedHostMiddleware(plain, allowed_hosts=["api.example.com", "*.cdn.example.net"])
    async with client(app) as http:
        response = await http.get("/path", headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "the Host header does not name a host this server accepts",
        "instance": "/path",
    }


async def test_a_missing_host_header_is_refused() -> None:
    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    app = TrustedHostMiddleware(plain, allowed_hosts=["api.example.com"])
    scope: Scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    await app(scope, _no_body, collect)
    assert sent[0]["status"] == 400
    assert b"the Host header is missing" in sent[1]["body"]


async def test_an_ipv6_host_with_a_port_is_matched_on_the_address() -> None:
    app = TrustedHostMiddleware(plain, allowed_hosts=["[::1]"])
    async with client(app) as http:
        response = await http.get("/", headers={"Host": "[::1]:8000"})
    assert response.status_code == 200


async def test_a_refused_websocket_handshake_is_closed_with_policy_violation() -> None:
    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    app = TrustedHostMiddleware(plain, allowed_hosts=["api.example.com"])
    scope: Scope = {"type": "websocket", "path": "/ws", "headers": [(b"host", b"evil")]}
    await app(scope, _no_body, collect)
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_the_wildcard_accepts_any_host() -> None:
    app = TrustedHostMiddleware(plain, allowed_hosts=["*"])
    assert app.is_allowed("whatever.example")
    assert app.is_allowed(None)


@pytest.mark.parametrize("pattern", ["api.*.com", "*.", "", "**.example.com"])
def test_only_leading_wildcards_are_host_patterns(pattern: str) -> None:
    with pytest.raises(ValueError, match="not a host pattern"):
        TrustedHostMiddleware(plain, allowed_hosts=[pattern])


def test_an_empty_host_list_is_refused() -> None:
    with pytest.raises(ValueError, match="every request would be refused"):
        TrustedHostMiddleware(plain, allowed_hosts=[])


async def _no_body() -> Message:
    return {"type": "http.request", "body": b""}
