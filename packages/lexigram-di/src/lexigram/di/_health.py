"""Health-check results of providers and of a whole application."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class HealthStatus(enum.Enum):
    """The state a health check reports, best first."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {HealthStatus.HEALTHY: 0, HealthStatus.DEGRADED: 1, HealthStatus.UNHEALTHY: 2}


@dataclass(frozen=True, slots=True)
class HealthCheckResult:
    """What one provider's ``health_check`` reports."""

    status: HealthStatus
    message: str = ""
    details: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @classmethod
    def healthy(cls, message: str = "", **details: Any) -> HealthCheckResult:
        return cls(HealthStatus.HEALTHY, message, details)

    @classmethod
    def degraded(cls, message: str = "", **details: Any) -> HealthCheckResult:
        return cls(HealthStatus.DEGRADED, message, details)

    @classmethod
    def unhealthy(cls, message: str = "", **details: Any) -> HealthCheckResult:
        return cls(HealthStatus.UNHEALTHY, message, details)

    @property
    def is_healthy(self) -> bool:
        return self.status is HealthStatus.HEALTHY

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value}
        if self.message:
            out["message"] = self.message
        if self.details:
            out["details"] = dict(self.details)
        return out


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The aggregate of every provider's check: the worst status wins."""

    status: HealthStatus
    checks: Mapping[str, HealthCheckResult]

    @classmethod
    def of(cls, checks: Mapping[str, HealthCheckResult]) -> HealthReport:
        worst = max((c.status for c in checks.values()), key=lambda s: s.rank,
                    default=HealthStatus.HEALTHY)  # fmt: skip
        return cls(worst, dict(checks))

    @property
    def is_healthy(self) -> bool:
        return self.status is HealthStatus.HEALTHY

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "checks": {name: check.to_dict() for name, check in self.checks.items()},
        }
