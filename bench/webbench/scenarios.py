"""The scenarios: the request each app receives and the answer every framework must give.

Every framework module builds one app per scenario (an app holds only what its scenario
needs, so a peer's global middleware for one scenario never slows another). ``test_scenarios``
sends each scenario's request (and its bad inputs) to every app and checks the answers before
anything is timed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

PLAINTEXT = "plaintext"
JSON_1K = "json"
PATH_INT = "path"
QUERY = "query"
BODY = "body"
PIPELINE = "pipeline"
ERROR = "error"
ROUTES_100 = "routes100"

HELLO = "Hello, World!"

# About 1 kB once serialised (checked by test_scenarios).
PAYLOAD: dict[str, Any] = {
    "items": [
        {"id": i, "name": f"item-{i:02d}", "price": round(i * 1.25, 2), "tags": ["a", "b"]}
        for i in range(18)
    ],
    "total": 18,
}

ITEM_BODY: dict[str, Any] = {"name": "widget", "price": 9.5, "tags": ["blue", "small"], "stock": 3}

TOKEN = "Bearer secret-token"
USER = "alice"
INTERCEPTOR_HEADER = "x-intercepted"
ROUTE_COUNT = 100
KNOWN_ITEM = 1
"""The only item the error scenario's handler knows; every other id is answered with 404."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    request: Request
    status: int
    body: Any
    """The expected body: a str for text, a JSON value otherwise (for errors: see ``error``)."""
    content_type: str = "application/json"
    header: tuple[str, str] | None = None
    """A response header the scenario must set."""
    bad: tuple[Request, ...] = field(default=())
    """Requests every framework must refuse with a 4xx (proves validation and guards run)."""


def _json_request(path: str, payload: Any, query: str = "") -> Request:
    return Request(
        "POST", path, query, (("content-type", "application/json"),), json.dumps(payload).encode()
    )


SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in [
        Scenario(PLAINTEXT, "plaintext", Request("GET", "/plaintext"), 200, HELLO, "text/plain"),
        Scenario(JSON_1K, "JSON 1 kB", Request("GET", "/json"), 200, PAYLOAD),
        Scenario(
            PATH_INT,
            "path param → int",
            Request("GET", "/users/42"),
            200,
            {"id": 42},
            bad=(Request("GET", "/users/abc"),),
        ),
        Scenario(
            QUERY,
            "two validated query params",
            Request("GET", "/search", "q=bench&limit=10"),
            200,
            {"q": "bench", "limit": 10},
            bad=(
                Request("GET", "/search", "q=bench&limit=1000"),
                Request("GET", "/search", "q=bench&limit=ten"),
                Request("GET", "/search", "limit=10"),
            ),
        ),
        Scenario(
            BODY,
            "POST body → pydantic model, echoed",
            _json_request("/items", ITEM_BODY),
            200,
            ITEM_BODY,
            bad=(
                _json_request("/items", {**ITEM_BODY, "price": "free"}),
                _json_request("/items", {"name": "widget"}),
            ),
        ),
        Scenario(
            PIPELINE,
            "full pipeline: guard + DI scoped service + interceptor + path + query",
            Request("GET", "/pipeline/42", "q=bench&limit=10", (("authorization", TOKEN),)),
            200,
            {"id": 42, "q": "bench", "limit": 10, "user": USER, "owner": "repo-42"},
            header=(INTERCEPTOR_HEADER, "yes"),
            bad=(
                Request("GET", "/pipeline/42", "q=bench&limit=10"),
                Request("GET", "/pipeline/42", "q=bench&limit=0", (("authorization", TOKEN),)),
            ),
        ),
        Scenario(
            ERROR,
            "404 raised by the handler",
            Request("GET", "/items/999"),
            404,
            None,
            "",
        ),
        Scenario(
            ROUTES_100,
            "100 routes, hitting the last",
            Request("GET", f"/r{ROUTE_COUNT - 1}/7"),
            200,
            {"route": ROUTE_COUNT - 1, "id": 7},
        ),
    ]
}

PROBLEM_404 = {
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "detail": "item 999 not found",
    "instance": "/items/999",
}
"""The problem+json body Lexigram and the raw Starlette baseline answer for the error scenario."""


def routes_request(count: int) -> Request:
    """The request of the route-count scaling: the last of ``count`` routes."""
    return Request("GET", f"/r{count - 1}/7")


def routes_body(count: int) -> dict[str, int]:
    return {"route": count - 1, "id": 7}
