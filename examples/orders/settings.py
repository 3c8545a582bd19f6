"""The app's own settings: the ``orders`` section of ``application.yaml`` plus the environment.

``LEXIGRAM_ORDERS__<KEY>`` overrides one key (JSON for mappings and lists, e.g.
``LEXIGRAM_ORDERS__API_KEYS='{"k": {"user": "u", "roles": ["orders:read"]}}'``);
``LEXIGRAM_REDIS_URL`` sets ``redis_url``. ``database`` is an SQLite file (a relative path is
relative to the directory of ``application.yaml``), ``":memory:"`` (everything in memory:
tests), or a ``postgresql://`` URL (PostgreSQL, e.g.
``LEXIGRAM_ORDERS__DATABASE=postgresql://app:secret@db.internal:5432/orders``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, field_validator

from lexigram.ratelimit import parse_rate

from .urls import is_postgres_url

__all__ = ["HERE", "ApiKey", "CatalogEntry", "OrdersSettings", "load_settings"]

HERE = Path(__file__).resolve().parent
ENV_PREFIX = "LEXIGRAM_ORDERS__"
REDIS_ENV = "LEXIGRAM_REDIS_URL"
MEMORY = ":memory:"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ApiKey(_Frozen):
    """Who an API key stands for, and what they may do."""

    user: str = Field(min_length=1)
    roles: tuple[str, ...] = ()


class CatalogEntry(_Frozen):
    """A product put in the catalog on first start."""

    sku: str
    name: str
    price_cents: int = Field(ge=0)


class OrdersSettings(_Frozen):
    """Settings of the Orders API (see ``application.yaml`` for what each one does)."""

    database: str = MEMORY
    database_pool_size: int = Field(default=10, ge=1)
    database_timeout: float = Field(default=5.0, gt=0)
    default_rate_limit: str | None = "120/minute"
    redis_url: str | None = None
    report_delay: float = Field(default=0.0, ge=0)
    confirmation_delay: float = Field(default=0.0, ge=0)
    event_stream: str = Field(default="orders:events", min_length=1)
    event_claim_idle: float = Field(default=30.0, gt=0)
    slow_request_ms: float = Field(default=500.0, gt=0)
    live_poll_interval: float = Field(default=0.5, gt=0)
    live_max_seconds: float = Field(default=60.0, gt=0)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    api_keys: dict[str, ApiKey] = Field(default_factory=dict[str, ApiKey])
    catalog: tuple[CatalogEntry, ...] = ()

    @field_validator("default_rate_limit")
    @classmethod
    def _a_rate(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rate(value)  # ValueError naming the accepted format
        return value


def load_settings(
    config_dir: Path = HERE, *, environ: Mapping[str, str] | None = None, **overrides: Any
) -> OrdersSettings:
    """``orders`` from ``config_dir/application.yaml``, then the environment, then keywords."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_dir / "application.yaml"
    if path.is_file():
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        values.update(document.get("orders") or {})
    for name, raw in env.items():
        if name.startswith(ENV_PREFIX):
            key = name.removeprefix(ENV_PREFIX).lower()
            values[key] = json.loads(raw) if raw.strip()[:1] in ("[", "{") else raw
    if env.get(REDIS_ENV):
        values["redis_url"] = env[REDIS_ENV]
    values.update(overrides)
    settings = OrdersSettings.model_validate(values)
    database = settings.database
    if database != MEMORY and not is_postgres_url(database) and not Path(database).is_absolute():
        settings = settings.model_copy(update={"database": str(config_dir / database)})
    return settings
