"""The correctness check shared by ``test_scenarios`` and the drivers (run before timing)."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from . import scenarios as s
from .asgi import Response

_PER_REQUEST_MEMBERS = frozenset({"request_id", "trace_id"})


def decoded(response: Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        return json.loads(response.body)
    return response.body.decode()


def stable(response: Response) -> Any:
    """The decoded body without the members that name one request (a problem's
    ``request_id`` and ``trace_id``): what two answers to the same request share."""
    got = decoded(response)
    if isinstance(got, dict):
        return {k: v for k, v in got.items() if k not in _PER_REQUEST_MEMBERS}
    return got


def expected(module: ModuleType, scenario: s.Scenario) -> tuple[str, Any]:
    """The content type and body ``module``'s framework must answer for ``scenario``."""
    if scenario.key == s.ERROR:
        content_type, body = module.ERROR_RESPONSE
        return content_type, body
    return scenario.content_type, scenario.body


def check_answer(module: ModuleType, scenario: s.Scenario, response: Response) -> None:
    """Raise ``AssertionError`` naming the difference when ``response`` is not the answer."""
    content_type, body = expected(module, scenario)
    where = f"{module.__name__} {scenario.key}"
    assert response.status == scenario.status, f"{where}: status {response.status}"
    got_type = response.headers.get("content-type", "")
    assert got_type.startswith(content_type), f"{where}: content-type {got_type!r}"
    got = stable(response)
    assert got == body, f"{where}: body {got!r}"
    if scenario.header is not None:
        name, value = scenario.header
        assert response.headers.get(name) == value, f"{where}: header {name} missing"
