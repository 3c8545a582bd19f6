"""API versions on controllers and handlers: ``@version`` and ``@api_version``.

The decorators only record an ``ApiVersionMetadata``; the app reads it once at startup to
prefix paths (URL strategy) or to build per-path version tables (header, query and media-type
strategies), and to precompute the ``Deprecation`` / ``Sunset`` / ``Link`` headers of
deprecated versions.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .metadata import read_value, set_value

__all__ = ["ApiVersionMetadata", "api_version", "normalize_version", "version"]

T = TypeVar("T")

_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
_UNSAFE = frozenset("\r\n\x00<>")
META_KEY = "api_version"


def normalize_version(value: int | str) -> str:
    """``1``, ``"1"``, ``"v1"`` -> ``"1"``; ``ValueError`` for anything that is not a version."""
    checked = typing.cast(object, value)
    if isinstance(checked, bool) or not isinstance(checked, int | str):
        raise TypeError(f"an API version is an int or a str (e.g. 1 or '2.1'), got {value!r}")
    text = str(value).strip()
    if text[:1] in ("v", "V") and len(text) > 1 and text[1].isdigit():
        text = text[1:]
    if not _VERSION.fullmatch(text):
        raise ValueError(
            f"{value!r} is not an API version; use digits, letters, '.', '_' or '-' (e.g. 1, '2.1')"
        )
    return text


def _to_datetime(value: dt.date | dt.datetime | str, what: str) -> dt.datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed: dt.date | dt.datetime = dt.datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{what} {value!r} is not a date; use an ISO 8601 date such as '2026-12-31'"
                    " or an HTTP-date"
                ) from None
        value = parsed
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _check_link(link: str | None, what: str) -> str | None:
    if link is not None and (not link.strip() or not _UNSAFE.isdisjoint(link)):
        raise ValueError(f"{what} {link!r} must be a URL without CR, LF, NUL, '<' or '>'")
    return link


@dataclass(frozen=True, slots=True)
class ApiVersionMetadata:
    """The version of a controller or handler, as declared with ``@api_version``.

    ``deprecation_date`` and ``sunset`` are aware UTC datetimes; ``link`` documents the
    deprecation (``Link: <...>; rel="deprecation"``), ``sunset_link`` the sunset policy
    (``rel="sunset"``). ``prefix`` replaces the URL prefix derived from the version.
    """

    version: str
    deprecated: bool = False
    deprecation_date: dt.datetime | None = None
    sunset: dt.datetime | None = None
    prefix: str | None = None
    link: str | None = None
    sunset_link: str | None = None

    @property
    def url_prefix(self) -> str:
        """The URL prefix of this version (``/v1`` unless ``prefix`` was given)."""
        return self.prefix if self.prefix is not None else f"/v{self.version}"

    def response_headers(self) -> list[tuple[str, str]]:
        """The version's response headers, in this order.

        ``Deprecation`` (RFC 9745: ``@<unix time>``, or ``true`` without a date), ``Sunset``
        (RFC 8594 HTTP-date) and ``Link``."""
        headers: list[tuple[str, str]] = []
        if self.deprecated:
            date = self.deprecation_date
            headers.append(("Deprecation", f"@{int(date.timestamp())}" if date else "true"))
        if self.sunset is not None:
            headers.append(("Sunset", email.utils.format_datetime(self.sunset, usegmt=True)))
        if self.link is not None:
            headers.append(("Link", f'<{self.link}>; rel="deprecation"'))
        if self.sunset_link is not None:
            headers.append(("Link", f'<{self.sunset_link}>; rel="sunset"'))
        return headers

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description (dates as ISO 8601 strings)."""
        return {
            "version": self.version,
            "deprecated": self.deprecated,
            "deprecation_date": self.deprecation_date.isoformat()
            if self.deprecation_date
            else None,
            "sunset": self.sunset.isoformat() if self.sunset else None,
            "link": self.link,
            "sunset_link": self.sunset_link,
        }


def api_version(
    ver: int | str,
    *,
    deprecated: bool | dt.date | dt.datetime | str = False,
    sunset: dt.date | dt.datetime | str | None = None,
    prefix: str | None = None,
    link: str | None = None,
    sunset_link: str | None = None,
) -> Callable[[T], T]:
    """Give a controller class (all its routes) or one handler an API version.

    ``deprecated`` is ``True`` or the date the version was (or will be) deprecated; responses
    of a deprecated version carry ``Deprecation`` (and ``Sunset`` when ``sunset`` is given:
    an ISO 8601 date, a ``date``/``datetime`` or an HTTP-date), plus ``Link`` headers for
    ``link`` / ``sunset_link``. With the URL strategy (the default) the routes are served
    under ``/v<ver>`` (or ``prefix``) before the controller's own prefix. A handler's version
    wins over its controller's.
    """
    number = normalize_version(ver)
    date: dt.datetime | None = None
    if not isinstance(deprecated, bool):
        date = _to_datetime(deprecated, "deprecated")
    if prefix is not None and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(f"prefix must start with '/' and not end with '/', got {prefix!r}")
    meta = ApiVersionMetadata(
        version=number,
        deprecated=deprecated is not False,
        deprecation_date=date,
        sunset=_to_datetime(sunset, "sunset") if sunset is not None else None,
        prefix=prefix,
        link=_check_link(link, "link"),
        sunset_link=_check_link(sunset_link, "sunset_link"),
    )

    def decorate(target: T) -> T:
        existing = read_value(target, META_KEY)
        if existing is not None and existing != meta:
            raise TypeError(
                f"{getattr(target, '__qualname__', target)!r} already has API version"
                f" {existing.version!r}; declare one handler (or controller) per version"
            )
        set_value(target, META_KEY, meta)
        setattr(target, "__api_version_meta__", meta)  # noqa: B010
        setattr(target, "__api_version__", number)  # noqa: B010
        return target

    return decorate


_declare = api_version


def version(api_version: int | str) -> Callable[[T], T]:
    """`api_version` with only the version (no deprecation).

    The spelling of NestJS's `@Version`."""
    return _declare(api_version)


def declared_version(target: Any) -> ApiVersionMetadata | None:
    """The version declared directly on ``target`` (a handler function or a class)."""
    value = read_value(target, META_KEY)
    return value if isinstance(value, ApiVersionMetadata) else None
