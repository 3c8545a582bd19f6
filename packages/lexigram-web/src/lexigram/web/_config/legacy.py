"""Deprecated ``web`` configuration keys, mapped onto ``WebConfig``.

``server: {host, port, workers, reload}`` becomes the top-level ``host``/``port``/...
(``server`` now names the server program) and ``security`` becomes ``security_headers``,
each with a ``DeprecationWarning`` naming the new keys. Keys whose feature moved elsewhere,
or that never did anything (``name``, ``enabled``), are refused with the fix.
"""

from __future__ import annotations

import typing
import warnings
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["MOVED_KEYS", "upgrade_deprecated_keys"]

_SERVER_KEYS: Final = ("host", "port", "workers", "reload")
MOVED_KEYS: Final = {
    "name": "the section is always web; delete the key",
    "enabled": "an app serves what it declares; delete the key (leave the web module out of"
    " the app to serve nothing)",
    "app": "OpenAPI settings are web.openapi (title, version, ...) and origins web.cors",
    "rate_limit": "rate limits come from lexigram-ratelimit: add "
    "RateLimitModule.configure(default_limit=...) to the app's modules and @throttle routes",
    "enable_auth": "authentication is a guard: LexigramApp(guards=[...]) or @use_guards(...)",
    "auth_exclude_paths": "authentication is a guard: put it on the routes that need it",
    "enable_identity_resolution": "resolve identities in your authentication guard",
}


def upgrade_deprecated_keys(data: Any) -> Any:
    """``data`` (the raw input of ``WebConfig``) with the deprecated keys mapped."""
    if not isinstance(data, Mapping):
        return data
    values = dict(typing.cast(Mapping[str, Any], data))
    for key, fix in MOVED_KEYS.items():
        if key in values:
            raise ValueError(f"web.{key} is not a setting any more: {fix}")
    server = values.get("server")
    if isinstance(server, Mapping):
        values.pop("server")
        _move_server(values, typing.cast(Mapping[str, Any], server))
    security = values.get("security")
    if security is not None:
        if "security_headers" in values:
            raise ValueError("give web.security_headers only (web.security is its old name)")
        values["security_headers"] = values.pop("security")
        _deprecated("web.security is deprecated: write web.security_headers")
    return values


def _move_server(values: dict[str, Any], server: Mapping[str, Any]) -> None:
    unknown = sorted(set(server) - set(_SERVER_KEYS))
    if unknown:
        raise ValueError(
            f"web.server.{unknown[0]} has no new key; web.server may hold "
            f"{', '.join(_SERVER_KEYS)} (deprecated: write them under web directly)"
        )
    for key in server:
        if key in values:
            raise ValueError(f"give web.{key} only (web.server.{key} is its old place)")
        values[key] = server[key]
    moved = ", ".join(f"web.{key}" for key in server)
    _deprecated(
        f"web.server: {{{', '.join(server)}}} is deprecated: write {moved or 'web.host'} "
        "(web.server now names the server program: granian or uvicorn)"
    )


def _deprecated(message: str) -> None:
    warnings.warn(message, DeprecationWarning, stacklevel=2)
