"""Schemathesis against the orders example's ``/openapi.json``, in-process: generated requests
for every operation (a fixed number, derandomized) answer no 5xx, and every answer conforms to
the document (status, content type, headers, body schema)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import _servers  # noqa: F401  (puts the repository root on sys.path, for examples)
import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from examples.orders import create_app, load_settings
from examples.orders.settings import HERE
from lexigram.web import LexigramApp, load_web_config
from lexigram.web.testing import TestClient

AUTH = {"X-API-Key": "demo-manager"}  # every role: requests reach the handlers
STREAM = "/v2/orders/events"  # an endless text/event-stream (tested on real servers)
EXAMPLES = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def make_app() -> LexigramApp:
    options = load_settings(environ={}, database=":memory:", default_rate_limit="100000/minute")
    return create_app(options, load_web_config(HERE, environ={}))


def load_schema() -> Any:
    with TestClient(make_app()) as client:
        document = client.get("/openapi.json").json()
    return schemathesis.openapi.from_dict(document).exclude(path=STREAM)


OPERATIONS = [result.ok() for result in load_schema().get_all_operations()]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as client:
        yield client


def send(client: TestClient, case: Any) -> httpx2.Response:
    """``case`` as a request through the in-process client."""
    prepared: dict[str, Any] = case.as_transport_kwargs(base_url="http://testserver", headers=AUTH)
    body: dict[str, Any] = {}
    if "json" in prepared:
        body["json"] = prepared.pop("json")
    if "data" in prepared:
        body["content"] = prepared.pop("data")
    method, url = prepared.pop("method"), prepared.pop("url")
    headers, params = prepared.pop("headers"), prepared.pop("params", None)
    assert not {k: v for k, v in prepared.items() if v}, f"unexpected request parts {prepared}"
    response: httpx2.Response = client.request(method, url, headers=headers, params=params, **body)
    return response


def run(
    client: TestClient,
    operation: Any,
    mode: GenerationMode,
    check: Callable[[Any, httpx2.Response], None],
) -> None:
    """``check(case, response)`` for the generated examples of ``operation``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @EXAMPLES
    def example(case: Any) -> None:
        check(case, send(client, case))

    example()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_valid_requests_get_answers_the_document_describes(
    operation: Any, client: TestClient
) -> None:
    def conforms(case: Any, response: httpx2.Response) -> None:
        case.validate_response(response, checks=CHECKS, headers=AUTH)

    run(client, operation, GenerationMode.POSITIVE, conforms)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_invalid_requests_get_problem_answers_the_document_describes(
    operation: Any, client: TestClient
) -> None:
    def refused(case: Any, response: httpx2.Response) -> None:
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == response.status_code
        case.validate_response(response, checks=CHECKS, headers=AUTH)

    run(client, operation, GenerationMode.NEGATIVE, refused)
