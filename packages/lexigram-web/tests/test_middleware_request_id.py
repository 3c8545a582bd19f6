import logging

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from lexigram.web.middleware import (
    RequestIDLogFilter,
    RequestIDMiddleware,
    current_request_id,
    get_request_id,
    request_id_of,
)


async def echo_id(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with the request id seen in scope state and in the context variable."""
    body = f"{request_id_of(scope)}|{current_request_id()}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_sane_incoming_id_is_kept_and_echoed() -> None:
    async with client(RequestIDMiddleware(echo_id)) as http:
        response = await http.get("/", headers={"X-Request-ID": "abc-123_x.y:z"})
    assert response.headers["x-request-id"] == "abc-123_x.y:z"
    assert response.text == "abc-123_x.y:z|abc-123_x.y:z"


async def test_a_missing_id_is_generated_as_32_hex_characters() -> None:
    async with client(RequestIDMiddleware(echo_id)) as http:
        response = await http.get("/")
    generated = response.headers["x-request-id"]
    assert len(generated) == 32
    assert int(generated, 16) >= 0
    assert response.text == f"{generated}|{generated}"


@pytest.mark.parametrize("bad", ["a" * 129, "has space", "semi;colon", 'quote"', "é"])
async def test_an_unsafe_incoming_id_is_replaced(bad: str) -> None:
    async with client(RequestIDMiddleware(echo_id)) as http:
        response = await http.get("/", headers=[(b"X-Request-ID", bad.encode())])
    assert response.headers["x-request-id"] != bad
    assert len(response.headers["x-request-id"]) == 32


async def test_incoming_ids_are_ignored_when_not_trusted() -> None:
    app = RequestIDMiddleware(echo_id, trust_incoming=False, generator=lambda: "fresh")
    async with client(app) as http:
        response = await http.get("/", headers={"X-Request-ID": "from-client"})
    assert response.headers["x-request-id"] == "fresh"


async def test_a_custom_header_name_is_read_and_written() -> None:
    app = RequestIDMiddleware(echo_id, header_name="X-Correlation-ID")
    async with client(app) as http:
        response = await http.get("/", headers={"X-Correlation-ID": "corr-1"})
    assert response.headers["x-correlation-id"] == "corr-1"
    assert "x-request-id" not in response.headers


async def test_an_id_set_by_the_application_is_not_duplicated() -> None:
    async def sets_own(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"X-Request-ID", b"app-chosen")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async with client(RequestIDMiddleware(sets_own)) as http:
        response = await http.get("/")
    assert response.headers.get_list("x-request-id") == ["app-chosen"]


async def test_the_context_variable_is_reset_after_the_request() -> None:
    async with client(RequestIDMiddleware(echo_id)) as http:
        await http.get("/")
    assert current_request_id() is None


async def test_lifespan_scopes_pass_through_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    scope: Scope = {"type": "lifespan"}
    await RequestIDMiddleware(app)(scope, _never_receive, _never_send)
    assert seen == [{"type": "lifespan"}]


class FakeRequest:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope


async def test_get_request_id_reads_the_id_from_a_request_like_object() -> None:
    assert await get_request_id(FakeRequest({"state": {"request_id": "r-1"}})) == "r-1"


async def test_get_request_id_without_the_middleware_names_the_fix() -> None:
    with pytest.raises(LookupError, match="add RequestIDMiddleware"):
        await get_request_id(FakeRequest({"type": "http"}))


async def test_the_log_filter_adds_the_current_id_to_records() -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("lexigram.test.request_id")
    handler = Collect()
    handler.addFilter(RequestIDLogFilter())
    logger.addHandler(handler)
    try:

        async def logs(scope: Scope, receive: Receive, send: Send) -> None:
            logger.warning("inside")
            await echo_id(scope, receive, send)

        async with client(RequestIDMiddleware(logs)) as http:
            await http.get("/", headers={"X-Request-ID": "log-me"})
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    assert [getattr(r, "request_id", None) for r in records] == ["log-me", "-"]


def test_an_out_of_range_max_length_is_refused() -> None:
    with pytest.raises(ValueError, match="max_length"):
        RequestIDMiddleware(echo_id, max_length=0)


async def _never_receive() -> dict[str, object]:
    raise AssertionError("receive must not be called")


async def _never_send(message: object) -> None:
    raise AssertionError("send must not be called")
