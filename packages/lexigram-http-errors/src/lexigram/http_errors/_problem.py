"""``ProblemDetail``: the RFC 9457 ``application/problem+json`` document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from . import _json
from ._describe import members_of
from ._http_error import HTTPError
from ._members import GENERIC_5XX_DETAIL, check_extensions, check_status
from .status import reason_phrase

__all__ = ["PROBLEM_JSON", "ProblemDetail"]

PROBLEM_JSON: Final = "application/problem+json"
"""The media type of every error body."""


class ProblemDetail:
    """An RFC 9457 problem: ``type``, ``title``, ``status``, ``detail``, ``instance`` + extensions.

    ``title`` defaults to the reason phrase of ``status``. Extension members come from
    ``extensions=`` and from extra keyword arguments (``request_id="..."``); a name that would
    shadow a standard member raises ``ValueError``. ``to_dict()`` leaves out members that are
    ``None`` and puts extensions after the standard members.
    """

    __slots__ = ("detail", "extensions", "instance", "status", "title", "type")

    type: str
    title: str | None
    status: int | None
    detail: str | None
    instance: str | None
    extensions: dict[str, Any]

    def __init__(
        self,
        *,
        type: str = "about:blank",  # the RFC 9457 member name
        title: str | None = None,
        status: int | None = None,
        detail: str | None = None,
        instance: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        extensions: Mapping[str, Any] | None = None,
        **members: Any,
    ) -> None:
        if status is not None:
            status = check_status(status, 100, 599, "ProblemDetail status")
            if title is None:
                title = reason_phrase(status)
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        merged = check_extensions(extensions)
        if members:
            merged.update(check_extensions(members))
        if errors is not None:
            merged["errors"] = errors
        self.extensions = merged

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        """The ``errors`` extension member, if present."""
        errors: list[dict[str, Any]] | None = self.extensions.get("errors")
        return errors

    def set_extension(self, name: str, value: Any) -> None:
        """Add or replace one extension member (standard member names are refused)."""
        self.extensions.update(check_extensions({name: value}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: standard members first (``None`` ones left out), then extensions."""
        data: dict[str, Any] = {"type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.status is not None:
            data["status"] = self.status
        if self.detail is not None:
            data["detail"] = self.detail
        if self.instance is not None:
            data["instance"] = self.instance
        for name, value in self.extensions.items():
            data.setdefault(name, value)
        return data

    def to_json(self) -> bytes:
        """``to_dict()`` as UTF-8 JSON (orjson when installed)."""
        return _json.dumps(self.to_dict())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProblemDetail):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.to_dict().items())
        return f"ProblemDetail({fields})"

    @classmethod
    def from_exception(
        cls,
        exc: BaseException,
        status: int = 500,
        debug: bool = False,
        **extensions: Any,
    ) -> ProblemDetail:
        """The problem describing ``exc``.

        An ``HTTPError`` brings its own status, title, type, detail, code and extensions. For
        any other exception ``status`` is used, and a 5xx detail is a generic sentence unless
        ``debug`` is true (then it names the exception and adds its ``traceback``); a 4xx
        detail is ``str(exc)``.
        """
        if isinstance(exc, HTTPError):
            status = exc.status_code
        data, _ = members_of(exc, status, debug, None)
        problem = cls(
            type=data.pop("type"),
            title=data.pop("title"),
            status=data.pop("status"),
            detail=data.pop("detail"),
            extensions=data,
        )
        if extensions:
            problem.extensions.update(check_extensions(extensions))
        return problem

    @classmethod
    def validation_error(
        cls,
        errors: list[dict[str, Any]],
        detail: str = "Validation failed",
        status: int = 422,
        **extensions: Any,
    ) -> ProblemDetail:
        """A validation problem (422 by default, 400 if asked) listing ``errors``."""
        return cls(status=status, detail=detail, errors=errors, extensions=extensions)

    @classmethod
    def not_found(
        cls, resource: str, identifier: object = None, **extensions: Any
    ) -> ProblemDetail:
        """404 with a detail such as "User '42' not found"."""
        suffix = "" if identifier is None else f" '{identifier}'"
        return cls(status=404, detail=f"{resource}{suffix} not found", extensions=extensions)

    @classmethod
    def bad_request(
        cls, detail: str, errors: list[dict[str, Any]] | None = None, **extensions: Any
    ) -> ProblemDetail:
        """400 with ``detail`` and, if given, ``errors``."""
        return cls(status=400, detail=detail, errors=errors, extensions=extensions)

    @classmethod
    def internal_error(cls, detail: str = GENERIC_5XX_DETAIL, **extensions: Any) -> ProblemDetail:
        """500 with a generic detail."""
        return cls(status=500, detail=detail, extensions=extensions)
