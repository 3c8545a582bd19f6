"""The RFC 9457 body of a 429 (the one error shape of the framework, built here without
depending on lexigram-http-errors)."""

from __future__ import annotations

import json
from typing import Any

from ._decision import RateLimitDecision
from ._headers import retry_after_value

__all__ = ["PROBLEM_JSON", "too_many_requests"]

PROBLEM_JSON = "application/problem+json"


def too_many_requests(
    decision: RateLimitDecision,
    rate: str,
    *,
    instance: str | None = None,
    type_: str = "about:blank",
) -> bytes:
    """``{"type", "title", "status": 429, "detail", "instance"}`` as UTF-8 JSON."""
    seconds = retry_after_value(decision)
    body: dict[str, Any] = {
        "type": type_,
        "title": "Too Many Requests",
        "status": 429,
        "detail": f"Rate limit {rate} exceeded; retry in {seconds} "
        f"second{'' if seconds == '1' else 's'}.",
    }
    if instance is not None:
        body["instance"] = instance
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
