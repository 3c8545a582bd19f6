"""Reading the requested API version from a request, per ``VersioningConfig.strategy``."""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import Scope

from lexigram.http_errors import BadRequestError

from .._config.versioning import VersioningConfig
from .._declare.versioning import normalize_version
from .._http.context import ExecutionContext, parse_query

__all__ = ["STATE_KEY", "VersionExtractor", "get_version", "set_request_version"]

STATE_KEY = "api_version"
"""The key under which the resolved version is kept in the request state."""


def _clean(raw: str) -> str | None:
    if raw.isdigit() and raw.isascii():
        return raw  # the common case, already normal
    try:
        return normalize_version(raw)
    except ValueError:
        # Not a well-formed version: keep it (trimmed) so the error can quote it.
        text = raw.strip()[:64]
        return text or None


class VersionExtractor:
    """Extracts the version a request asks for, following ``config.strategy``.

    Everything strategy-specific (header key, query name, media-type patterns, URL pattern) is
    prepared once here; ``from_scope`` is the per-request part.
    """

    __slots__ = ("config", "describe", "from_scope")

    def __init__(self, config: VersioningConfig) -> None:
        self.config = config
        strategy = config.strategy
        self.from_scope: Callable[[Scope], str | None]
        if strategy == "header":
            self.from_scope = _header_reader(config.header_name)
            self.describe = f"the {config.header_name} header"
        elif strategy == "query":
            self.from_scope = _query_reader(config.query_param)
            self.describe = f"the {config.query_param!r} query parameter"
        elif strategy == "media_type":
            self.from_scope = _media_reader(config.media_type_vendor, config.media_type_param)
            self.describe = (
                f"the Accept header (application/vnd.{config.media_type_vendor}.v<version>+json"
                f" or ;{config.media_type_param}=<version>)"
            )
        else:
            self.from_scope = _url_reader(config.url_format)
            self.describe = f"the URL ({config.url_format})"

    def extract(self, request: HTTPConnection) -> str | None:
        """The version ``request`` asks for, else the default version, else ``None``."""
        found = self.from_scope(request.scope)
        return found if found is not None else self.config.default_version


def _header_reader(name: str) -> Callable[[Scope], str | None]:
    key = name.lower().encode("latin-1")

    def read(scope: Scope) -> str | None:
        for header, value in scope["headers"]:
            if header == key:
                return _clean(value.decode("latin-1"))
        return None

    return read


def _query_reader(name: str) -> Callable[[Scope], str | None]:
    needle = name.encode("latin-1") + b"="

    def read(scope: Scope) -> str | None:
        raw: bytes = scope.get("query_string", b"")
        if needle not in raw:
            return None
        try:
            pairs = parse_query(raw)
        except BadRequestError:
            return None
        for key, value in pairs:
            if key == name:
                return _clean(value)
        return None

    return read


def _media_reader(vendor: str, param: str) -> Callable[[Scope], str | None]:
    vendor_type = re.compile(
        rf"application/vnd\.{re.escape(vendor)}\.v([0-9A-Za-z][0-9A-Za-z._-]*)(?:\+[a-z]+)?\s*(?:;|$)",
        re.IGNORECASE,
    )
    parameter = re.compile(rf";\s*{re.escape(param)}\s*=\s*\"?([^\";,\s]+)", re.IGNORECASE)

    def read(scope: Scope) -> str | None:
        for header, value in scope["headers"]:
            if header != b"accept":
                continue
            for item in value.decode("latin-1").split(","):
                item = item.strip()
                match = vendor_type.match(item) or parameter.search(item)
                if match is not None:
                    return _clean(match.group(1))
        return None

    return read


def _url_reader(url_format: str) -> Callable[[Scope], str | None]:
    before, _, after = url_format.partition("{version}")
    pattern = re.compile(rf"{re.escape(before)}([^/]+){re.escape(after)}(?:/|$)")

    def read(scope: Scope) -> str | None:
        match = pattern.match(scope["path"])
        return _clean(match.group(1)) if match is not None else None

    return read


def set_request_version(scope: Scope, value: str) -> None:
    """Record the version a request is served with (``get_version`` reads it)."""
    state: Any = scope.get("state")
    if isinstance(state, dict):
        typing.cast(dict[str, Any], state)[STATE_KEY] = value
    else:
        scope["state"] = {STATE_KEY: value}


def get_version(request: HTTPConnection) -> str | None:
    """The API version ``request`` is served with.

    On a versioned route: the route's version (or, on a version-neutral route, the version
    asked for). Elsewhere: the app's ``default_version``, which is ``None`` unless configured
    (``VersioningConfig(default_version=...)``).
    """
    state: Any = request.scope.get("state")
    if isinstance(state, dict):
        found = typing.cast(dict[str, Any], state).get(STATE_KEY)
        if found is not None:
            return str(found)
    app = request.app if isinstance(request, ExecutionContext) else request.scope.get("app")
    config = getattr(app, "versioning", None)
    return config.default_version if isinstance(config, VersioningConfig) else None
