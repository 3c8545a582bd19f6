import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from lexigram.web.middleware import QuerySanitizerMiddleware


async def echo_query(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["query_string"]})


def client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def call(app: QuerySanitizerMiddleware, query: bytes) -> list[Message]:
    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "path": "/q", "query_string": query, "headers": []}
    await app(scope, _unused, collect)
    return sent


async def test_a_clean_query_string_passes_unchanged() -> None:
    async with client(QuerySanitizerMiddleware(echo_query)) as http:
        response = await http.get("/?name=J%C3%BCrgen&tags=a+b&note=line%0Abreak")
    assert response.status_code == 200
    assert response.text == "name=J%C3%BCrgen&tags=a+b&note=line%0Abreak"


@pytest.mark.parametrize("query", ["a=%00", "a=x%1b[31m", "a=%7F", "a=%c2%85", "a=%0c"])
async def test_percent_encoded_control_characters_are_a_400_problem(query: str) -> None:
    async with client(QuerySanitizerMiddleware(echo_query)) as http:
        response = await http.get(f"/search?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "the query string contains control characters"
    assert problem["instance"] == "/search"


async def test_raw_control_bytes_are_refused() -> None:
    sent = await call(QuerySanitizerMiddleware(echo_query), b"a=\x00b")
    assert sent[0]["status"] == 400


async def test_strip_mode_removes_control_characters() -> None:
    app = QuerySanitizerMiddleware(echo_query, on_control="strip")
    sent = await call(app, b"a=x%00y&b=\x01z%C2%9F&c=%09")
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"a=xy&b=z&c=%09"


async def test_an_over_long_query_string_is_a_414_problem() -> None:
    app = QuerySanitizerMiddleware(echo_query, max_length=16)
    async with client(app) as http:
        response = await http.get("/?" + "a" * 17)
    assert response.status_code == 414
    problem = response.json()
    assert problem["title"] == "URI Too Long"
    assert problem["detail"] == "the query string is 17 bytes; the limit is 16"


async def test_sanitizing_can_be_switched_off_keeping_the_length_check() -> None:
    app = QuerySanitizerMiddleware(echo_query, sanitize_query_params=False, max_length=16)
    assert (await call(app, b"a=%00"))[0]["status"] == 200
    assert (await call(app, b"a" * 17))[0]["status"] == 414


async def test_a_refused_websocket_query_closes_the_handshake() -> None:
    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "websocket", "path": "/ws", "query_string": b"a=%00", "headers": []}
    await QuerySanitizerMiddleware(echo_query)(scope, _unused, collect)
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_an_unknown_control_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="'reject' or 'strip'"):
        QuerySanitizerMiddleware(echo_query, on_control="drop")  # type: ignore[arg-type]


async def _unused() -> Message:
    raise AssertionError("receive must not be called")
