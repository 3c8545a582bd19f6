"""``HealthConfig``: which health endpoints an app serves (see ``_health``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["HealthConfig", "resolve_health"]


class HealthConfig(BaseModel):
    """The health endpoints an app serves.

    A ``None`` path leaves that endpoint out; ``enabled=False`` leaves all out.
    ``timeout``: seconds each provider's check may take. ``optional``: provider names that
    do not affect readiness."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    path: str | None = "/health"
    live_path: str | None = "/health/live"
    ready_path: str | None = "/health/ready"
    timeout: float | None = Field(default=None, gt=0)
    optional: tuple[str, ...] = ()

    @field_validator("path", "live_path", "ready_path")
    @classmethod
    def _static_path(cls, value: str | None) -> str | None:
        if value is not None and (
            not value.startswith("/") or "{" in value or (value != "/" and value.endswith("/"))
        ):
            raise ValueError(
                f"must be a static absolute path such as '/health' (no parameters, no trailing"
                f" '/'), got {value!r}"
            )
        return value


def resolve_health(option: Any, config: Any) -> HealthConfig:
    """``health=`` (``True``/``False``, a mapping or a ``HealthConfig``), else
    ``config.health``, else the defaults."""
    source = option if option is not None else getattr(config, "health", None)
    if source is None or source is True:
        return HealthConfig()
    if source is False:
        return HealthConfig(enabled=False)
    if isinstance(source, HealthConfig):
        return source
    if isinstance(source, Mapping):
        return HealthConfig.model_validate(source)
    raise TypeError(f"health= takes True, False, a mapping or a HealthConfig, got {source!r}")
