"""Shared pieces of the every-setting-has-an-effect checks: a probe app and its requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from lexigram.web import LexigramApp, Request, WebConfig
from lexigram.web.testing import AsyncTestClient


@dataclass(frozen=True)
class Env:
    """What a check may use besides the app: a temporary folder and monkeypatching."""

    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch


Check = Callable[[Env], Awaitable[None]]

BIG_TEXT = " ".join(f"word{i % 97} sentence{i % 13}" for i in range(400))


def config(settings: Mapping[str, Any] | None = None) -> WebConfig:
    """A ``WebConfig`` from a mapping of dotted keys (``{"cors.max_age": 60}``)."""
    nested: dict[str, Any] = {}
    for dotted, value in (settings or {}).items():
        *sections, key = dotted.split(".")
        target = nested
        for section in sections:
            target = target.setdefault(section, {})
        target[key] = value
    return WebConfig.model_validate(nested)


def probe_app(web: WebConfig) -> LexigramApp:
    """An app with one route per kind of answer the checks look at."""
    app = LexigramApp(config=web)

    @app.get("/")
    async def home() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/ip")
    async def ip(request: Request) -> str:
        return request.ip

    @app.get("/echo")
    async def echo(q: str) -> str:
        return q

    @app.get("/need")
    async def need(n: int) -> int:
        return n

    @app.post("/upload")
    async def upload(data: dict[str, str]) -> int:
        return len(data)

    @app.post("/count")
    async def count(data: dict[str, int]) -> int:
        return sum(data.values())

    @app.get("/big")
    async def big() -> dict[str, str]:
        return {"text": BIG_TEXT}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the secret detail")

    return app


async def call(
    settings: Mapping[str, Any] | None,
    method: str,
    url: str,
    *,
    app: Callable[[WebConfig], LexigramApp] = probe_app,
    base_url: str = "http://testserver",
    **options: Any,
) -> httpx.Response:
    """One request to ``app(config(settings))``."""
    async with AsyncTestClient(app(config(settings)), base_url=base_url) as client:
        return await client.request(method, url, **options)


async def both(
    settings: Mapping[str, Any],
    method: str,
    url: str,
    *,
    base: Mapping[str, Any] | None = None,
    **options: Any,
) -> tuple[httpx.Response, httpx.Response]:
    """The same request under ``base`` (default settings) and under ``base`` + ``settings``."""
    before = await call(base, method, url, **options)
    after = await call({**(base or {}), **settings}, method, url, **options)
    return before, after


def preflight(method: str = "PUT", headers: str = "") -> dict[str, str]:
    """The headers of a CORS preflight from https://app.example."""
    sent = {"Origin": "https://app.example", "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return sent
