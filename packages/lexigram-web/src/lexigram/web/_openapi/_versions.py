"""API versions in the OpenAPI document.

With the URL strategy each version has its own paths (``/v1/users``, ``/v2/users``) and each
operation carries ``x-api-version``. With the header, query or media-type strategies versions
share a path: the document shows one operation (the first declared) whose ``x-api-version``
lists every version, with the header or query parameter selecting the version.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Iterable
from typing import Any

from .._declare.metadata import mro_value, read_value
from .._http.context import RouteInfo

__all__ = ["merge_version", "route_version", "version_value"]

_log = logging.getLogger("lexigram.web.openapi")
_VERSION_KEYS = ("api_version", "version")


def route_version(info: RouteInfo) -> Any:
    """The API version a route is served for, ``None`` when unversioned: route metadata
    ``api_version``/``version``, a ``version``/``api_version`` attribute of the route, or an
    ``@api_version`` declaration on the handler or its controller."""
    for key in _VERSION_KEYS:
        value = info.metadata.get(key)
        if value is not None:
            return value
        value = getattr(info, key, None)
        if value is not None:
            return value
    value = read_value(info.handler, "api_version")
    if value is None and info.controller_class is not None:
        value = mro_value(info.controller_class, "api_version")
    return value


def version_value(value: Any) -> Any:
    """A version as it appears in ``x-api-version`` (a string, or a list of strings)."""
    declared = getattr(value, "version", None)
    if isinstance(declared, str | int):
        return str(declared)
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, Iterable):
        return [version_value(v) for v in typing.cast(Iterable[object], value)]
    return str(value)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in typing.cast(list[object], value)]
    return [str(value)]


def merge_version(
    shown: dict[str, Any], other: dict[str, Any], label: str, versioning: Any
) -> None:
    """Fold ``other`` (another version of the operation ``shown``) into ``shown``."""
    versions = _as_list(shown.get("x-api-version"))
    extra = _as_list(other.get("x-api-version"))
    if not extra:
        _log.warning(
            "%s is already documented by another route on the same path and method;"
            " the OpenAPI document shows the first",
            label,
        )
        return
    versions.extend(v for v in extra if v not in versions)
    shown["x-api-version"] = versions
    if not other.get("deprecated"):
        shown.pop("deprecated", None)  # deprecated only when every version is
    selector = _selector(versioning, versions)
    if selector is None:
        return
    parameters: list[dict[str, Any]] = shown.setdefault("parameters", [])
    key = (selector["in"], selector["name"])
    parameters[:] = [p for p in parameters if (p.get("in"), p.get("name")) != key]
    parameters.append(selector)


def _selector(versioning: Any, versions: list[str]) -> dict[str, Any] | None:
    """The header or query parameter choosing the version (``None`` for other strategies)."""
    strategy = getattr(versioning, "strategy", None)
    if strategy == "header":
        where, name = "header", getattr(versioning, "header_name", "X-API-Version")
    elif strategy == "query":
        where, name = "query", getattr(versioning, "query_param", "version")
    else:
        return None
    default = getattr(versioning, "default_version", None)
    parameter: dict[str, Any] = {
        "name": str(name),
        "in": where,
        "required": default is None,
        "description": "The API version to use.",
        "schema": {"type": "string", "enum": versions},
    }
    if default is not None:
        parameter["schema"]["default"] = str(default)
    return parameter
