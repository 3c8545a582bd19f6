"""API versions in the OpenAPI document.

With the URL strategy each version has its own paths (``/v1/users``, ``/v2/users``) and each
operation carries ``x-api-version``. With the header, query or media-type strategies versions
share a path, and OpenAPI has one operation per path and method: the document shows one
operation whose ``x-api-version`` lists every version, carrying the parameters of every version
(one only some versions take is optional, its description naming them), every version's
request body and response schemas (``anyOf`` where they differ), and how to select a version:
the header or query parameter, or, for the media-type strategy, the ``Accept`` value (in the
description and ``x-api-version-media-type``; OpenAPI does not list ``Accept`` as a parameter).
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Iterable
from typing import Any

from .._declare.metadata import mro_value, read_value
from .._http.context import RouteInfo
from ._schema import PendingSchema

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
    first = list(versions)
    versions.extend(v for v in extra if v not in versions)
    shown["x-api-version"] = versions
    if not other.get("deprecated"):
        shown.pop("deprecated", None)  # deprecated only when every version is
    _merge_parameters(shown, other, first, extra)
    _merge_body(shown, other)
    responses: dict[str, Any] = shown.setdefault("responses", {})
    for status, response in typing.cast(dict[str, Any], other.get("responses", {})).items():
        current = responses.get(status)
        if current is None:
            responses[status] = response
        elif "content" in response:
            current["content"] = _merge_content(current.get("content", {}), response["content"])
    _document_media_type(shown, versioning, versions)
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


def _note(parameter: dict[str, Any], versions: list[str]) -> None:
    used = ", ".join(versions)
    text = f"Only API version {used} takes this parameter."
    parameter["description"] = (
        f"{parameter['description']} {text}" if parameter.get("description") else text
    )


def _merge_parameters(
    shown: dict[str, Any], other: dict[str, Any], mine: list[str], theirs: list[str]
) -> None:
    """Every version's parameters; one some version does not take is optional and says
    which versions take it."""
    own: list[dict[str, Any]] = shown.setdefault("parameters", [])
    incoming: list[dict[str, Any]] = list(other.get("parameters", []))
    own_keys = {(p.get("in"), p.get("name")) for p in own}
    their_keys = {(p.get("in"), p.get("name")) for p in incoming}
    for parameter in own:
        if (parameter.get("in"), parameter.get("name")) not in their_keys and (
            parameter.get("in") != "path"
        ):
            parameter["required"] = False
            if "Only API version" not in str(parameter.get("description", "")):
                _note(parameter, mine)
    for parameter in incoming:
        if (parameter.get("in"), parameter.get("name")) in own_keys:
            continue
        added = dict(parameter)
        if added.get("in") != "path":
            added["required"] = False
            _note(added, theirs)
        own.append(added)
    if not own:
        del shown["parameters"]


def _merge_body(shown: dict[str, Any], other: dict[str, Any]) -> None:
    theirs = other.get("requestBody")
    mine = shown.get("requestBody")
    if theirs is None:
        if mine is not None:
            mine["required"] = False
        return
    if mine is None:
        shown["requestBody"] = {**theirs, "required": False}
        return
    mine["required"] = bool(mine.get("required")) and bool(theirs.get("required"))
    mine["content"] = _merge_content(mine.get("content", {}), theirs.get("content", {}))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, PendingSchema) and isinstance(b, PendingSchema):
        return a.key == b.key and a.extra == b.extra
    return bool(a == b)


def _merge_content(mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """Media types of both; a schema that differs between versions becomes ``anyOf``."""
    merged = dict(mine)
    for media, entry in theirs.items():
        current = merged.get(media)
        if current is None or "schema" not in current or "schema" not in entry:
            merged.setdefault(media, entry)
            continue
        ours: Any = current["schema"]
        new: Any = entry["schema"]
        variants: list[Any] = [ours]
        if isinstance(ours, dict):
            schema = typing.cast(dict[str, Any], ours)
            if list(schema) == ["anyOf"]:
                variants = list(schema["anyOf"])
        if any(_same(v, new) for v in variants):
            continue
        merged[media] = {**current, "schema": {"anyOf": [*variants, new]}}
    return merged


def _document_media_type(shown: dict[str, Any], versioning: Any, versions: list[str]) -> None:
    if getattr(versioning, "strategy", None) != "media_type":
        return
    vendor = getattr(versioning, "media_type_vendor", "lexigram")
    param = getattr(versioning, "media_type_param", "version")
    example = versions[-1] if versions else "1"
    shown["x-api-version-media-type"] = {
        "vendor": f"application/vnd.{vendor}.v{{version}}+json",
        "parameter": param,
    }
    text = (
        f"Select the API version ({', '.join(versions)}) with the Accept header:"
        f" `application/vnd.{vendor}.v{example}+json`, or `application/json; {param}={example}`."
    )
    description = str(shown.get("description", ""))
    if "with the Accept header" not in description:
        shown["description"] = f"{description}\n\n{text}" if description else text
