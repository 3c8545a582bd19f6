import httpx
import pytest
from starlette.types import Receive, Scope, Send

from lexigram.web.middleware import CORSMiddleware

ORIGIN = "https://app.example.com"


async def plain(scope: Scope, receive: Receive, send: Send) -> None:
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def cors(**options: object) -> CORSMiddleware:
    settings: dict[str, object] = {"allow_origins": [ORIGIN]}
    settings.update(options)
    return CORSMiddleware(plain, **settings)  # type: ignore[arg-type]


def preflight(method: str = "PUT", headers: str = "") -> dict[str, str]:
    sent = {"Origin": ORIGIN, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return sent


async def test_a_preflight_from_an_allowed_origin_is_answered_204() -> None:
    async with client(cors(allow_headers=["X-Token"], max_age=60)) as http:
        response = await http.options("/items", headers=preflight(headers="X-Token"))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "PUT" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "x-token"
    assert response.headers["access-control-max-age"] == "60"
    assert response.headers["vary"] == "Origin"


async def test_a_preflight_from_another_origin_is_a_400_problem() -> None:
    async with client(cors()) as http:
        response = await http.options(
            "/items",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["instance"] == "/items"
    assert "origin 'https://evil.example' is not allowed" in problem["detail"]


async def test_a_preflight_for_a_method_not_allowed_is_refused() -> None:
    async with client(cors(allow_methods=["GET"])) as http:
        response = await http.options("/", headers=preflight("DELETE"))
    assert response.status_code == 400
    assert "method 'DELETE'" in response.json()["detail"]


async def test_any_method_is_echoed_when_all_methods_are_allowed() -> None:
    async with client(cors(allow_methods=["*"])) as http:
        response = await http.options("/", headers=preflight("PROPFIND"))
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "PROPFIND"


async def test_a_preflight_asking_for_an_unlisted_header_is_refused() -> None:
    async with client(cors()) as http:
        response = await http.options("/", headers=preflight(headers="X-Secret"))
    assert response.status_code == 400
    assert "x-secret" in response.json()["detail"]


async def test_safelisted_headers_are_always_allowed_in_a_preflight() -> None:
    async with client(cors()) as http:
        response = await http.options("/", headers=preflight(headers="Content-Type"))
    assert response.status_code == 204


async def test_any_header_is_echoed_when_all_headers_are_allowed() -> None:
    async with client(cors(allow_headers=["*"])) as http:
        response = await http.options("/", headers=preflight(headers="X-A, X-B"))
    assert response.headers["access-control-allow-headers"] == "x-a, x-b"


async def test_an_actual_request_from_an_allowed_origin_gets_cors_headers() -> None:
    app = cors(allow_credentials=True, expose_headers=["X-Total"])
    async with client(app) as http:
        response = await http.get("/", headers={"Origin": ORIGIN})
    assert response.text == "ok"
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-expose-headers"] == "X-Total"
    assert response.headers["vary"] == "Origin"


async def test_an_actual_request_from_another_origin_gets_no_cors_headers() -> None:
    async with client(cors()) as http:
        response = await http.get("/", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_a_request_without_origin_passes_through_untouched() -> None:
    async with client(cors()) as http:
        response = await http.options("/")
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_the_wildcard_origin_answers_star_without_vary() -> None:
    async with client(cors(allow_origins=["*"])) as http:
        response = await http.get("/", headers={"Origin": "https://anyone.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "vary" not in response.headers


async def test_an_origin_regex_allows_matching_origins() -> None:
    app = cors(allow_origins=[], allow_origin_regex=r"https://[a-z]+\.example\.org")
    async with client(app) as http:
        allowed = await http.get("/", headers={"Origin": "https://shop.example.org"})
        refused = await http.get("/", headers={"Origin": "https://shop.example.org.evil"})
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.org"
    assert "access-control-allow-origin" not in refused.headers


def test_the_wildcard_origin_with_credentials_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="list the allowed origins explicitly"):
        CORSMiddleware(plain, allow_origins=["*"], allow_credentials=True)


def test_a_single_string_of_origins_is_refused() -> None:
    with pytest.raises(TypeError, match="list of origins"):
        CORSMiddleware(plain, allow_origins=ORIGIN)


@pytest.mark.parametrize("regex", [".*", ".+", "https?://.*", r"(https://app\.example\.com|.*)"])
def test_a_regex_matching_any_origin_with_credentials_is_refused_naming_the_fix(
    regex: str,
) -> None:
    with pytest.raises(ValueError, match="anchor it to your own hosts"):
        CORSMiddleware(plain, allow_origin_regex=regex, allow_credentials=True)


def test_the_null_origin_with_credentials_is_refused_naming_the_fix() -> None:
    with pytest.raises(ValueError, match="remove 'null' or set allow_credentials to false"):
        CORSMiddleware(plain, allow_origins=[ORIGIN, "null"], allow_credentials=True)


async def test_an_anchored_regex_with_credentials_allows_only_its_hosts() -> None:
    app = CORSMiddleware(
        plain, allow_origin_regex=r"https://([a-z0-9-]+\.)?example\.com", allow_credentials=True
    )
    async with client(app) as http:
        ours = await http.get("/", headers={"Origin": ORIGIN})
        theirs = await http.get("/", headers={"Origin": "https://evil.test"})
    assert ours.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in theirs.headers
