"""An app whose rate limits are counted in process memory, for the worker-count checks
(``lexigram run workers_fixture_app:app --workers 2``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lexigram.web import LexigramApp, RateLimiterProtocol, load_web_config


class Allowed:
    allowed = True
    limit = remaining = 100
    reset_after = retry_after = 0.0


class PerProcessPolicy:
    async def hit(self, key: str, cost: int = 1) -> Allowed:
        return Allowed()

    def headers(self, decision: Any) -> list[tuple[str, str]]:
        return []


class PerProcessLimiter:
    """Counts in memory, like lexigram-ratelimit's memory backend."""

    default_rate: str | None = "100/minute"
    exclude: Sequence[str] = ("/health",)
    per_process = True

    def policy(self, rate: str) -> PerProcessPolicy:
        return PerProcessPolicy()


def build() -> LexigramApp:
    application = LexigramApp(config=load_web_config())
    application.container.singleton(RateLimiterProtocol, instance=PerProcessLimiter())

    @application.get("/ping")
    async def ping() -> str:
        return "pong"

    return application


app = build()
