"""Schemathesis over the orders example's ``/openapi.json``, in-process, with every check it has.

Each operation goes through the coverage phase (boundary values, every missing or malformed
parameter and header, methods the document does not list) and the fuzzing phase (positive and
negative cases); then the stateful phase chains the operations Schemathesis links by itself from
the document: an order placed, listed, read (in both versions), cancelled or shipped. (The
examples phase has nothing to run: the document has no examples.) A schema cannot list a
catalogue that changes at run time, so half the schema-valid orders the fuzzer draws are sent
naming catalogue products instead of random SKUs: orders do get placed, and the chains reach
their 200 and 409 answers.

Every response goes through every built-in check, ``max_response_time`` with a limit that only
catches a hang, and this project's own: an error is an ``application/problem+json`` body whose
``status`` is the response's. Cases are derandomized and bounded, so a run takes seconds.
``object_level_authorization`` is enabled too, but it acts only on identities listed in a Web
Fuzzing Commons auth document, and the Orders API has none to compare: every key with
``orders:read`` reads every order, by design (docs/example-orders.md).

Three rules answer a schema-valid request 422, and only those answers are let through
(``business_rule`` below; docs/example-orders.md lists them): an order names only products of
the catalogue, each once; a product's SKU (the path) cannot change in a ``PUT``; and strict
bodies take an integer field only written as an integer (JSON Schema counts ``2.0`` as an
integer, strict validation refuses it, as it refuses ``true`` and ``"2"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import _servers  # noqa: F401  (puts the repository root on sys.path, for examples)
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.python import asgi

from examples.orders import create_app, load_settings
from examples.orders.settings import HERE
from lexigram.web import LexigramApp, load_web_config
from lexigram.web.testing import TestClient

AUTH = {"X-API-Key": "demo-manager"}  # every role: requests reach the handlers
MAX_EXAMPLES = 40  # per operation and phase; the coverage phase adds its own fixed set
STATEFUL_STEPS = 8
HANG = 10.0  # seconds: max_response_time only catches a request that never ends
PROBLEM = "application/problem+json"
CATALOGUE = [entry.sku for entry in load_settings(environ={}).catalog]  # application.yaml


def make_app() -> LexigramApp:
    # live streams end after 50 ms, so the SSE route is fuzzed like any other
    options = load_settings(
        environ={},
        database=":memory:",
        default_rate_limit="100000/minute",
        live_max_seconds=0.05,
        live_poll_interval=0.01,
    )
    quiet = {"LEXIGRAM_WEB__OBSERVABILITY__ACCESS_LOG__ENABLED": "false"}
    return create_app(options, load_web_config(HERE, environ=quiet))


def operation_labels() -> list[str]:
    with TestClient(make_app()) as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    return [
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
    ]


OPERATIONS = operation_labels()


@schemathesis.check
def problem_details_for_errors(ctx: Any, response: Any, case: Any) -> None:
    """An error answer is a problem+json body whose ``status`` is the response's."""
    if response.status_code < 400 or case.method == "HEAD":
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type == PROBLEM, f"{response.status_code} answered with {content_type!r}"
    status = response.json().get("status")
    assert status == response.status_code, f"{response.status_code} with a body status {status}"


def business_rule(failure: Any, case: Any, response: Any) -> str | None:
    """The documented rule a rejected schema-valid request broke, if it is one of the three."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return None
    body = response.json()
    errors = body.get("errors", [])
    kinds = {error["type"] for error in errors}
    if kinds == {"int_type"} and all(_whole_float(case.body, e["loc"]) for e in errors):
        return "strict bodies take an integer only written as one (2, not 2.0)"
    label = case.operation.label
    if label == "POST /v2/orders" and kinds and kinds <= {"unknown_sku", "duplicate"}:
        return "an order names only products of the catalogue, each once"
    detail = body.get("detail")
    if label == "PUT /v2/products/{item_id}" and detail == "A product's SKU cannot change":
        return "a product's SKU cannot change"
    return None


def _whole_float(body: Any, loc: list[Any]) -> bool:
    """Whether the request body holds a whole number written as a float (``2.0``) at ``loc``."""
    if not loc or loc[0] != "body":
        return False
    value = body
    for key in loc[1:]:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(value, float) and value.is_integer()


def keep_real_failures(context: Any, failure: Any, case: Any, response: Any) -> bool:
    return business_rule(failure, case, response) is None


def catalogue_orders(context: Any, case: Any) -> Any:
    """A schema-valid order as drawn, or the same order naming products of the catalogue."""
    body = case.body
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if case.operation.label != "POST /v2/orders" or not positive or not isinstance(body, dict):
        return st.just(case)
    lines = [{**line, "sku": sku} for line, sku in zip(body["lines"], CATALOGUE, strict=False)]
    placed = case.derive(keep_auth=True)
    placed.body = {**body, "lines": lines}
    return st.sampled_from([case, placed])


def config(phases: dict[str, Any]) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 20261202,
            "headers": AUTH,
            "suppress-health-check": ["too_slow"],
            "generation": {
                "deterministic": True,
                "max-examples": MAX_EXAMPLES,
                "database": "none",
            },
            "checks": {"enabled": True, "max_response_time": HANG},
            "phases": phases,
        }
    )


@pytest.fixture(scope="module")
def app() -> Iterator[LexigramApp]:
    app = make_app()
    yield app
    asgi.shutdown_lifespans()  # the app's lifespan, which schemathesis started


def load_schema(app: LexigramApp, phases: dict[str, Any]) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config(phases))
    schema.hooks.register_hook_with_name(keep_real_failures, "filter_failure")
    schema.hooks.register_hook_with_name(catalogue_orders, "flatmap_case")
    return schema


def run(schema: Any) -> list[str]:
    """Run every configured phase; what went wrong, one entry per failure or error."""
    problems: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.skip_reason is not None:
                problems.append(f"{event.recorder.label} skipped: {event.skip_reason}")
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        problems.append(
                            f"{check.name} on {event.recorder.label}: {failure.title}\n"
                            f"{failure.message}\n{check.failure_info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError):
            problems.append(f"error on {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            problems.extend(f"after the run: {failure.title}" for failure in event.failures)
            if event.stop_reason is not StopReason.COMPLETED:
                problems.append(f"the run stopped early: {event.stop_reason}")
    return problems


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_check_passes_on_each_operation(operation: str, app: LexigramApp) -> None:
    phases = {"examples": {"enabled": False}, "stateful": {"enabled": False}}
    schema = load_schema(app, phases).include(name=operation)
    problems = run(schema)
    assert not problems, "\n\n".join(problems)


def test_every_check_passes_on_chained_operations(app: LexigramApp) -> None:
    phases = {
        "examples": {"enabled": False},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": False},
        "stateful": {"max-steps": STATEFUL_STEPS},
    }
    problems = run(load_schema(app, phases))
    assert not problems, "\n\n".join(problems)
