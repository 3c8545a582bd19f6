"""The floor: one hand-written ASGI callable per scenario, doing the scenario's work and no more.

No framework and no router beyond the scenario's own path check: the query parsed and checked
by hand, the body validated with pydantic, the token compared, the request-scoped service
built, the interceptor's header added, JSON written with orjson, the 404 as problem+json. On
the same server, its CPU time per request is the floor a framework's is compared with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from pydantic import ValidationError

from .. import scenarios as s
from .common import Database, Item, Repository, item_not_found

ERROR_RESPONSE = ("application/problem+json", s.PROBLEM_404)
"""The error scenario's answer: content type and body."""

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
Handler = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"
PROBLEM = b"application/problem+json"
NOT_FOUND = orjson.dumps({"detail": "Not Found"})


async def _answer(send: Send, status: int, content_type: bytes, body: bytes,
                  extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:  # fmt: skip
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": body})


async def _not_found(send: Send) -> None:
    await _answer(send, 404, JSON, NOT_FOUND)


def _int_segment(path: str, prefix: str) -> int | None:
    """The int after ``prefix`` when the path is exactly ``prefix`` + digits."""
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix) :]
    return int(rest) if rest.isdigit() else None


def _search(query_string: bytes) -> tuple[str, int] | list[dict[str, Any]]:
    """``q`` required, ``limit`` an int in 1..100 (default 10); the errors otherwise."""
    params = dict(parse_qsl(query_string.decode("latin-1")))
    errors: list[dict[str, Any]] = []
    q = params.get("q")
    if q is None:
        errors.append({"loc": ["query", "q"], "msg": "field required"})
    limit = 10
    raw = params.get("limit")
    if raw is not None:
        if not raw.isdigit():
            errors.append({"loc": ["query", "limit"], "msg": "not an integer"})
        else:
            limit = int(raw)
            if not 1 <= limit <= 100:
                errors.append({"loc": ["query", "limit"], "msg": "must be in 1..100"})
    if errors or q is None:
        return errors
    return q, limit


async def _invalid(send: Send, errors: list[dict[str, Any]]) -> None:
    await _answer(send, 422, JSON, orjson.dumps({"detail": errors}))


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body


def _route(path: str, method: str, handler: Handler) -> Handler:
    """``handler`` for ``method path`` (``{id}``: an int segment at the end), 404 otherwise."""
    prefix = path.removesuffix("{id}")
    exact = prefix == path

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != method:
            await _not_found(send)
            return
        if exact:
            if scope["path"] != path:
                await _not_found(send)
                return
        elif _int_segment(scope["path"], prefix) is None:
            await _not_found(send)
            return
        await handler(scope, receive, send)

    return app


async def plaintext(scope: Scope, receive: Receive, send: Send) -> None:
    await _answer(send, 200, TEXT, s.HELLO.encode())


async def json_1k(scope: Scope, receive: Receive, send: Send) -> None:
    await _answer(send, 200, JSON, orjson.dumps(s.PAYLOAD))


async def user(scope: Scope, receive: Receive, send: Send) -> None:
    await _answer(send, 200, JSON, orjson.dumps({"id": _int_segment(scope["path"], "/users/")}))


async def search(scope: Scope, receive: Receive, send: Send) -> None:
    parsed = _search(scope["query_string"])
    if isinstance(parsed, list):
        await _invalid(send, parsed)
        return
    q, limit = parsed
    await _answer(send, 200, JSON, orjson.dumps({"q": q, "limit": limit}))


async def create_item(scope: Scope, receive: Receive, send: Send) -> None:
    try:
        item = Item.model_validate_json(await _read_body(receive))
    except ValidationError as exc:
        await _invalid(send, exc.errors(include_url=False, include_context=False))
        return
    await _answer(send, 200, JSON, item.model_dump_json().encode())


def _pipeline(db: Database) -> Handler:
    token = s.TOKEN.encode()
    stamp = ((s.INTERCEPTOR_HEADER.encode(), b"yes"),)

    async def show(scope: Scope, receive: Receive, send: Send) -> None:
        authorization = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if authorization != token:  # the guard
            body = orjson.dumps({"detail": "token required"})
            await _answer(send, 401, JSON, body, ((b"www-authenticate", b"Bearer"),))
            return
        parsed = _search(scope["query_string"])
        if isinstance(parsed, list):
            await _invalid(send, parsed)
            return
        q, limit = parsed
        repository = Repository(db)  # the request-scoped service
        id = _int_segment(scope["path"], "/pipeline/")
        assert id is not None
        body = {"id": id, "q": q, "limit": limit, "user": s.USER, "owner": repository.owner(id)}
        await _answer(send, 200, JSON, orjson.dumps(body), stamp)  # the interceptor's header

    return show


async def get_item(scope: Scope, receive: Receive, send: Send) -> None:
    path: str = scope["path"]
    id = _int_segment(path, "/items/")
    if id != s.KNOWN_ITEM:
        detail = item_not_found(id) if id is not None else "not found"
        problem = {"type": "about:blank", "title": "Not Found", "status": 404,
                   "detail": detail, "instance": path}  # fmt: skip
        await _answer(send, 404, PROBLEM, orjson.dumps(problem))
        return
    await _answer(send, 200, JSON, orjson.dumps({"id": id}))


def _http_only(handler: Handler) -> App:
    """The ASGI app: lifespan acknowledged, every HTTP request to ``handler``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await handler(scope, receive, send)
            return
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].removeprefix("lifespan.")
                await send({"type": f"lifespan.{kind}.complete"})
                if kind == "shutdown":
                    return

    return app


def build_routes(count: int) -> App:
    """``/r{i}/{id:int}`` for i below ``count``: the two numbers parsed by hand."""

    async def routes(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        head, _, tail = path[2:].partition("/")
        if scope["method"] != "GET" or not path.startswith("/r") or not head.isdigit():
            await _not_found(send)
            return
        route = int(head)
        if route >= count or not tail.isdigit():
            await _not_found(send)
            return
        await _answer(send, 200, JSON, orjson.dumps({"route": route, "id": int(tail)}))

    return _http_only(routes)


def build(key: str) -> App:
    if key == s.ROUTES_100:
        return build_routes(s.ROUTE_COUNT)
    handler = {
        s.PLAINTEXT: _route("/plaintext", "GET", plaintext),
        s.JSON_1K: _route("/json", "GET", json_1k),
        s.PATH_INT: _route("/users/{id}", "GET", user),
        s.QUERY: _route("/search", "GET", search),
        s.BODY: _route("/items", "POST", create_item),
        s.PIPELINE: _route("/pipeline/{id}", "GET", _pipeline(Database())),
        s.ERROR: _route("/items/{id}", "GET", get_item),
    }[key]
    return _http_only(handler)
