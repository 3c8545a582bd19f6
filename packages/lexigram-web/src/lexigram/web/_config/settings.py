"""The settings the request pipeline reads, from a config object and/or keyword arguments."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .serving import DEFAULT_BODY_TIMEOUT

__all__ = ["DEFAULT_MAX_BODY_SIZE", "AppSettings", "resolve_settings"]

DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class AppSettings:
    """The settings the request pipeline reads.

    ``debug``: 5xx problems carry the exception and traceback. ``validation_status``: 422 or
    400. ``trusted_proxies``: peers whose ``X-Forwarded-For`` is believed (IPs, networks, or
    ``"*"``). ``fail_on_route_conflict``: duplicate routes raise at startup. ``max_body_size``:
    bytes (``None``: no limit), enforced while the body streams in. ``body_timeout``: seconds
    to wait for the next piece of a request body before answering 408 (``None``: no limit).
    ``strict_body``: JSON bodies are validated strictly (an ``int`` field refuses ``true``,
    ``"2"`` and ``2.0``); ``False`` accepts pydantic's lenient coercions (a route's
    ``strict_body=`` wins)."""

    debug: bool = False
    validation_status: int = 422
    trusted_proxies: tuple[str, ...] = ()
    fail_on_route_conflict: bool = True
    max_body_size: int | None = DEFAULT_MAX_BODY_SIZE
    body_timeout: float | None = DEFAULT_BODY_TIMEOUT
    strict_body: bool = True

    def __post_init__(self) -> None:
        if self.validation_status not in (400, 422):
            raise ValueError(
                f"validation_status must be 422 (the default) or 400, got {self.validation_status}"
            )
        if self.max_body_size is not None and self.max_body_size < 0:
            raise ValueError("max_body_size must be >= 0 (or None for no limit)")
        if self.body_timeout is not None and not 0 < self.body_timeout < float("inf"):
            raise ValueError("body_timeout must be a positive number of seconds (or None)")


_NAMES = tuple(f.name for f in fields(AppSettings))
_NONE_IS_A_VALUE = frozenset({"max_body_size", "body_timeout"})
"""Settings where an override of ``None`` means something (no limit), not "not given"."""


def resolve_settings(config: Any, overrides: dict[str, Any]) -> AppSettings:
    """Settings from ``config`` (any object with these attribute names, e.g. ``WebConfig``),
    then ``overrides`` (keyword arguments that are not ``None``; ``max_body_size=None`` is
    given: it removes the limit)."""
    values: dict[str, Any] = {}
    if config is not None:
        values.update({name: getattr(config, name) for name in _NAMES if hasattr(config, name)})
    values.update(
        {
            name: value
            for name, value in overrides.items()
            if value is not None or name in _NONE_IS_A_VALUE
        }
    )
    if "trusted_proxies" in values:
        values["trusted_proxies"] = tuple(values["trusted_proxies"])
    return AppSettings(**values)
