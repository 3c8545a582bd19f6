"""``VersioningConfig``: how a request names the API version it wants."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from .._declare.versioning import normalize_version

__all__ = ["VersioningConfig", "VersioningStrategy", "header_name"]

VersioningStrategy = Literal["url", "header", "query", "media_type"]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def header_name(value: str) -> str:
    """``value`` if it is a valid HTTP header name (an RFC 9110 token), else ``ValueError``."""
    if not _TOKEN.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid HTTP header name")
    return value


class VersioningConfig(BaseModel):
    """How versions are selected (decided once, at startup).

    ``strategy``:

    - ``"url"`` (default): versioned routes live under ``url_format`` (``/v1/users``); an
      unknown version is a path that does not exist (404);
    - ``"header"``: ``header_name`` (``X-API-Version: 2``);
    - ``"query"``: ``query_param`` (``?version=2``);
    - ``"media_type"``: ``Accept: application/vnd.<media_type_vendor>.v2+json`` or a
      ``;<media_type_param>=2`` parameter on any accepted type.

    With the header, query and media-type strategies routes of different versions share a
    path; each path gets a table ``version -> endpoint`` built at startup. A request naming
    no version gets ``default_version`` (400 when there is none); a version the path does not
    serve answers ``unknown_version_status`` (404 or 400) as problem+json. A route without a
    version on a versioned path answers every version the others do not (version-neutral).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategy: VersioningStrategy = "url"
    header_name: str = "X-API-Version"
    query_param: str = "version"
    media_type_vendor: str = "lexigram"
    media_type_param: str = "version"
    default_version: str | None = None
    unknown_version_status: Literal[400, 404] = 404
    url_format: str = "/v{version}"

    @field_validator("header_name")
    @classmethod
    def _header_token(cls, value: str) -> str:
        return header_name(value)

    @field_validator("query_param", "media_type_param", "media_type_vendor")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not _TOKEN.fullmatch(value):
            raise ValueError(f"{value!r} must be a non-empty token (letters, digits, '-', '.')")
        return value

    @field_validator("default_version", mode="before")
    @classmethod
    def _normalize_default(cls, value: object) -> object:
        if value is None:
            return None
        if isinstance(value, int | str):
            return normalize_version(value)
        return value

    @field_validator("url_format")
    @classmethod
    def _url_format(cls, value: str) -> str:
        if value.count("{version}") != 1 or not value.startswith("/") or value.endswith("/"):
            raise ValueError(
                "url_format must start with '/', contain '{version}' once and not end with '/'"
                f" (e.g. '/v{{version}}'), got {value!r}"
            )
        return value

    def url_prefix(self, version: str) -> str:
        """The URL prefix of ``version`` under the URL strategy."""
        return self.url_format.replace("{version}", version)
