"""Structured logs: the request fields on log records, a JSON / key=value formatter, and the
access log.

``RequestContextFilter`` puts ``request_id``, ``trace_id``, ``span_id``, ``route``, ``method``
and ``client`` on every record it sees (``"-"`` outside a request, or when unknown: the fields
other than ``request_id`` are known while tracing or the access log is on), for
``%(trace_id)s`` in ordinary formats. ``StructuredFormatter`` writes a record as one JSON
object or ``key=value`` line with those fields, read from the record or, when a filter did not
set them, from the request being handled. The access log (``AccessLog``) writes one record per
request on ``lexigram.web.access``; it never logs header values or the query string, so API
keys, ``Authorization`` and cookies stay out of the logs.
"""

from __future__ import annotations

import datetime
import logging
import sys
from collections.abc import Callable
from typing import Any, Final, Literal

import orjson
from starlette.types import Scope

from .._http.request_id import current_request_id, request_id_of
from .middleware import Feature
from .observation import Observation, current_observation

__all__ = [
    "ACCESS_LOGGER",
    "ACCESS_LOG_ENV",
    "FIELDS",
    "AccessLog",
    "LogSetup",
    "RequestContextFilter",
    "StructuredFormatter",
]

ACCESS_LOGGER: Final = "lexigram.web.access"
ACCESS_LOG_ENV: Final = "LEXIGRAM_ACCESS_LOG"
"""``1``/``0`` (``true``/``false``): turns the access log on or off whatever the config says
(``lexigram run --access-log`` / ``--no-access-log`` set it for the server's workers)."""
FRAMEWORK_LOGGER: Final = "lexigram"
FIELDS: Final = ("request_id", "trace_id", "span_id", "route", "method", "client")
"""The request fields every structured record carries."""
_ACCESS_ATTRIBUTE: Final = "lexigram_access"
_MISSING: Final = "-"


def _context_fields() -> dict[str, str]:
    obs = current_observation()
    request_id = current_request_id()
    if obs is None:
        return {"request_id": request_id or _MISSING}
    return {
        "request_id": request_id or request_id_of(obs.scope) or _MISSING,
        "trace_id": obs.trace_id or _MISSING,
        "span_id": obs.span_id or _MISSING,
        "route": obs.route or _MISSING,
        "method": obs.method,
        "client": obs.client or _MISSING,
    }


class RequestContextFilter(logging.Filter):
    """Set the request fields (``FIELDS``) on each record; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context_fields()
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, fields.get(name, _MISSING))
        return True


class StructuredFormatter(logging.Formatter):
    """One record per line: ``json`` (an object) or ``keyvalue`` (``key=value`` pairs).

    Members: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, the request fields
    (when logged during a request), an access record's own fields, and ``exception`` (the
    formatted traceback) when the record carries one.
    """

    def __init__(self, format: Literal["json", "keyvalue"] = "json") -> None:
        super().__init__()
        if format not in ("json", "keyvalue"):
            raise ValueError(f"format must be 'json' or 'keyvalue', got {format!r}")
        self.style_name = format

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        access: dict[str, Any] | None = getattr(record, _ACCESS_ATTRIBUTE, None)
        if access is not None:
            data.update(access)
        else:
            context = _context_fields()
            for name in FIELDS:
                value = getattr(record, name, None)
                if value is None:
                    value = context.get(name)
                if value is not None and value != _MISSING:
                    data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if self.style_name == "json":
            return orjson.dumps(data, default=str).decode()
        return " ".join(f"{key}={_kv(value)}" for key, value in data.items())


def _kv(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if text and not any(c in text for c in ' "=\\\n\r\t'):
        return text
    return orjson.dumps(text).decode()


class AccessLog(Feature):
    """One INFO record per request on ``lexigram.web.access`` (message ``"GET /x 200"``; the
    fields are on the record for ``StructuredFormatter``)."""

    def __init__(self, client_ip: Callable[[Scope], str] | None = None) -> None:
        self._logger = logging.getLogger(ACCESS_LOGGER)
        self._client_ip = client_ip

    def finish(self, obs: Observation) -> None:
        logger = self._logger
        if not logger.isEnabledFor(logging.INFO):
            return
        scope = obs.scope
        client = self._client_ip(scope) if self._client_ip is not None else obs.client
        fields: dict[str, Any] = {
            "method": obs.method,
            "route": obs.route_label,
            "path": obs.path,
            "status": obs.status,
            "duration_ms": round((obs.end - obs.start) * 1000.0, 3),
            "client": client or _MISSING,
            "request_id": request_id_of(scope) or _MISSING,
            "trace_id": obs.trace_id or _MISSING,
        }
        if obs.kind == "websocket":
            fields["kind"] = "websocket"
        logger.info("%s %s %d", obs.method, obs.path, obs.status, extra={_ACCESS_ATTRIBUTE: fields})


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        return sys.stderr


class LogSetup:
    """While the app runs: the framework's records (``lexigram.*``, the access log among them)
    go to stderr in the chosen format, and only there."""

    def __init__(self, format: Literal["json", "keyvalue"]) -> None:
        self._handler = _StderrHandler()
        self._handler.setFormatter(StructuredFormatter(format))
        self._saved: tuple[bool, int] | None = None

    def install(self) -> None:
        framework = logging.getLogger(FRAMEWORK_LOGGER)
        access = logging.getLogger(ACCESS_LOGGER)
        self._saved = (framework.propagate, access.level)
        framework.addHandler(self._handler)
        framework.propagate = False
        access.setLevel(logging.INFO)

    def uninstall(self) -> None:
        if self._saved is None:
            return
        framework = logging.getLogger(FRAMEWORK_LOGGER)
        framework.removeHandler(self._handler)
        framework.propagate, level = self._saved
        logging.getLogger(ACCESS_LOGGER).setLevel(level)
        self._saved = None
