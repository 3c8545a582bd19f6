"""Explicit parameter markers: ``path()``, ``query()``, ``header()``, ``cookie()``, ``body()``,
``form()``, ``file()``.

Use them as a default (``limit: int = query(default=10)``) or inside ``Annotated``
(``limit: Annotated[int, query(alias="n")] = 10``). Without a marker a parameter is bound by
convention: path parameters by name, services by type, pydantic models and dataclasses from the
JSON body, scalars from the query string.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "BoundParam",
    "Param",
    "ParamMetadata",
    "ParamSource",
    "body",
    "cookie",
    "file",
    "form",
    "header",
    "path",
    "query",
]


class ParamSource(StrEnum):
    """Where a handler parameter's value comes from."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"
    FORM = "form"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter marker (what ``query()`` and friends return)."""

    source: ParamSource
    default: Any = ...
    alias: str | None = None
    validation: Callable[[Any], Any] | None = None
    pipes: tuple[Any, ...] = ()
    embed: bool = False

    @property
    def required(self) -> bool:
        return self.default is ...


@dataclass(frozen=True, slots=True)
class ParamMetadata:
    """What a pipe learns about the parameter it transforms.

    ``param_type`` is the source (``"path"``, ``"query"``, ``"body"``, ...), ``expected_type``
    the annotation, ``default`` the default (``...`` when required), ``alias`` the wire name
    when it differs from ``name``.
    """

    name: str
    param_type: str
    expected_type: Any
    default: Any = ...
    alias: str | None = None
    extra: dict[str, Any] = field(default_factory=dict[str, Any])

    @property
    def wire_name(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class BoundParam:
    """How one handler parameter is bound, recorded at startup for generators (OpenAPI).

    ``source`` is a ``ParamSource`` or one of ``"dependency"``, ``"request"``, ``"context"``,
    ``"background"``, ``"websocket"``, ``"service"``, ``"default"``; ``wire`` the name on the
    wire (request sources only); ``default`` is ``...`` when the parameter is required;
    ``embed``: a body parameter read from one key of the JSON object.
    """

    name: str
    source: ParamSource | str
    annotation: Any
    wire: str | None = None
    default: Any = ...
    embed: bool = False

    @property
    def required(self) -> bool:
        return self.default is ...


def _marker(
    source: ParamSource,
    default: Any,
    alias: str | None,
    validation: Callable[[Any], Any] | None,
    pipes: Sequence[Any] | None,
    embed: bool = False,
) -> Any:
    return Param(source, default, alias, validation, tuple(pipes or ()), embed)


def path(
    alias: str | None = None,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
) -> Any:
    """A path parameter (always required)."""
    return _marker(ParamSource.PATH, ..., alias, validation, pipes)


def query(
    default: Any = ...,
    alias: str | None = None,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
) -> Any:
    """A query-string parameter (``list[...]`` annotations collect repeated keys)."""
    return _marker(ParamSource.QUERY, default, alias, validation, pipes)


def header(
    default: Any = ...,
    alias: str | None = None,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
) -> Any:
    """A request header; ``user_agent`` reads ``user-agent`` unless ``alias`` says otherwise."""
    return _marker(ParamSource.HEADER, default, alias, validation, pipes)


def cookie(
    default: Any = ...,
    alias: str | None = None,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
) -> Any:
    """A cookie value."""
    return _marker(ParamSource.COOKIE, default, alias, validation, pipes)


def body(
    default: Any = ...,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
    *,
    alias: str | None = None,
    embed: bool = False,
) -> Any:
    """The JSON body (or, with ``embed=True`` or several body parameters, one key of it)."""
    return _marker(ParamSource.BODY, default, alias, validation, pipes, embed)


def form(
    default: Any = ...,
    alias: str | None = None,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
) -> Any:
    """A form field (urlencoded or multipart; needs ``lexigram-web[multipart]``)."""
    return _marker(ParamSource.FORM, default, alias, validation, pipes)


def file(
    default: Any = ...,
    validation: Callable[[Any], Any] | None = None,
    pipes: Sequence[Any] | None = None,
    *,
    alias: str | None = None,
) -> Any:
    """An uploaded file (``UploadFile``, or ``bytes``); needs the multipart extra."""
    return _marker(ParamSource.FILE, default, alias, validation, pipes)
