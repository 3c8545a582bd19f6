"""Health probes backed by the lexigram-di ``Application``'s provider health checks.

- ``/health``: every provider's status; 503 when any provider is unhealthy;
- ``/health/live``: the process is up and serving (always 200 while the app runs);
- ``/health/ready``: 503 unless every *required* provider is healthy or degraded.

A provider is required unless it sets ``health_required = False`` or is listed in
``HealthConfig.optional``; one whose ``health_listed`` is false (the in-memory
broadcaster, which has nothing to report) is left out of the bodies. Each check runs within
``timeout`` seconds (the DI application's own per-provider timeout when ``None``); a check
that hangs or raises counts as unhealthy. Bodies are JSON
(``{"status": ..., "checks": {name: {"status": ...}}}``); provider messages and details
appear only in debug. The probes are built-in endpoints: no guards, interceptors or
rate limit apply, and they are not listed in the route registry or the OpenAPI document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from lexigram.di import HealthReport, HealthStatus

from ._compiled import BuiltinRoute
from ._config.health import HealthConfig

__all__ = ["health_routes"]

_log = logging.getLogger("lexigram.web.health")
_JSON = (b"content-type", b"application/json")
_NO_STORE = (b"cache-control", b"no-store")


def _required_names(application: Any, optional: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for provider in getattr(application, "providers", ()):
        name = getattr(provider, "provider_name", type(provider).__name__)
        if getattr(provider, "health_required", True) and name not in optional:
            names.add(name)
    return names


def _listed(application: Any, report: HealthReport) -> HealthReport:
    hidden = {
        getattr(provider, "provider_name", type(provider).__name__)
        for provider in getattr(application, "providers", ())
        if not getattr(provider, "health_listed", True)
    }
    if not hidden:
        return report
    checks = {k: v for k, v in report.checks.items() if k.split("#", 1)[0] not in hidden}
    return HealthReport.of(checks)


def _body(report: HealthReport, status: HealthStatus, debug: bool) -> bytes:
    checks: dict[str, Any] = {}
    for name, check in report.checks.items():
        checks[name] = check.to_dict() if debug else {"status": check.status.value}
    return orjson.dumps({"status": status.value, "checks": checks})


async def _send_json(send: Send, status: int, body: bytes) -> None:
    headers = [_JSON, (b"content-length", str(len(body)).encode()), _NO_STORE]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def health_routes(
    get_application: Callable[[], Any], config: HealthConfig, *, debug: bool
) -> list[BuiltinRoute]:
    """The endpoints ``config`` asks for; ``get_application()`` answers the running DI
    ``Application`` (``None`` while stopping)."""
    if not config.enabled:
        return []
    timeout = config.timeout
    optional = config.optional

    async def report() -> HealthReport | None:
        application = get_application()
        if application is None:
            return None
        try:
            found: HealthReport = await application.health_check(timeout)
        except Exception:
            _log.exception("the health check failed")
            return None
        return _listed(application, found)

    async def overall(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        found = await report()
        if found is None:
            await _send_json(send, 503, b'{"status":"unhealthy","checks":{}}')
            return
        code = 503 if found.status is HealthStatus.UNHEALTHY else 200
        await _send_json(send, code, _body(found, found.status, debug))

    async def live(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        await _send_json(send, 200, b'{"status":"alive"}')

    async def ready(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        found = await report()
        if found is None:
            await _send_json(send, 503, b'{"status":"unhealthy","checks":{}}')
            return
        required = _required_names(get_application(), optional)
        blocking = any(
            check.status is HealthStatus.UNHEALTHY
            for name, check in found.checks.items()
            if name.split("#", 1)[0] in required
        )
        status = HealthStatus.UNHEALTHY if blocking else found.status
        if not blocking and status is HealthStatus.UNHEALTHY:
            status = HealthStatus.DEGRADED  # only optional providers are down
        await _send_json(send, 503 if blocking else 200, _body(found, status, debug))

    routes: list[BuiltinRoute] = []
    for path, endpoint in ((config.path, overall), (config.live_path, live),
                           (config.ready_path, ready)):  # fmt: skip
        if path is not None:
            routes.append(BuiltinRoute("GET", path, endpoint))
    return routes
