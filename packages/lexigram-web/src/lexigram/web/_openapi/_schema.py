"""JSON Schemas for the OpenAPI document, rendered by pydantic in one pass.

Every type the document needs (parameters, request bodies, responses) is registered first and
gets a ``PendingSchema`` placeholder in the document tree. ``SchemaCollector.render()`` then asks
pydantic for all of them at once (JSON Schema 2020-12, one shared ``$defs`` that becomes
``components/schemas``, references written as ``#/components/schemas/{model}``) and
``resolve()`` swaps the placeholders for the rendered schemas.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from .._declare.errors import ConfigurationError

__all__ = ["REF_TEMPLATE", "PendingSchema", "SchemaCollector", "component_ref", "json_default"]

_log = logging.getLogger("lexigram.web.openapi")

REF_TEMPLATE = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]


def component_ref(name: str) -> dict[str, Any]:
    """``{"$ref": "#/components/schemas/<name>"}``."""
    return {"$ref": REF_TEMPLATE.format(model=name)}


@dataclass(eq=False, slots=True)
class PendingSchema:
    """A schema placeholder in the document tree, replaced by ``SchemaCollector.resolve``.

    ``extra`` members (e.g. ``default``) are added next to the rendered schema.
    """

    key: int
    extra: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass(slots=True)
class _Entry:
    adapter: TypeAdapter[Any]
    mode: Mode
    label: str
    strict: bool


class SchemaCollector:
    """Collects the types of one document and renders them together."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._index: dict[tuple[Any, Mode], int] = {}
        self._rendered: dict[int, dict[str, Any]] = {}
        self.components: dict[str, Any] = {}

    def add(
        self, annotation: Any, mode: Mode, label: str, *, strict: bool = True
    ) -> PendingSchema | dict[str, Any]:
        """A placeholder for ``annotation``'s schema.

        ``label`` names the route and what the type is for. A type pydantic cannot describe
        raises ``ConfigurationError`` naming ``label`` when ``strict``; otherwise it logs a
        warning and the document shows an empty schema (``{}``, any value).
        """
        try:
            cache_key: tuple[Any, Mode] | None = (annotation, mode)
            hash(cache_key)
        except TypeError:
            cache_key = None
        if cache_key is not None and cache_key in self._index:
            return PendingSchema(self._index[cache_key])
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        except Exception as exc:
            return self._failed(label, exc, strict)
        key = len(self._entries)
        self._entries.append(_Entry(adapter, mode, label, strict))
        if cache_key is not None:
            self._index[cache_key] = key
        return PendingSchema(key)

    def _failed(self, label: str, exc: Exception, strict: bool) -> dict[str, Any]:
        reason = " ".join(str(exc).split("\n")[0].split())
        if strict:
            raise ConfigurationError(
                f"{label} has no JSON Schema: {type(exc).__name__}: {reason}; use a pydantic"
                " model, dataclass or standard type, or leave the route out of the document"
                " with include_in_schema=False"
            ) from exc
        _log.warning(
            "%s has no JSON Schema (%s: %s); the OpenAPI document shows an empty schema",
            label,
            type(exc).__name__,
            reason,
        )
        return {}

    def render(self) -> None:
        """Render every registered type (one pydantic pass); bad types are reported by label."""
        entries = self._entries
        if not entries:
            return
        inputs: list[tuple[int, Mode, TypeAdapter[Any]]] = [
            (key, entry.mode, entry.adapter) for key, entry in enumerate(entries)
        ]
        try:
            schemas, defs = _json_schemas(inputs)
        except Exception:
            schemas, defs = self._render_one_by_one()
        for (key, _mode), schema in schemas.items():
            self._rendered[key] = schema
        self.components.update(typing.cast(dict[str, Any], defs.get("$defs", {})))

    def _render_one_by_one(self) -> tuple[dict[tuple[int, Mode], Any], dict[str, Any]]:
        """Find the types that cannot be rendered (an error or an empty schema for each), then
        render the others together."""
        good: list[tuple[int, Mode, TypeAdapter[Any]]] = []
        for key, entry in enumerate(self._entries):
            try:
                _json_schemas([(key, entry.mode, entry.adapter)])
            except Exception as exc:
                self._rendered[key] = self._failed(entry.label, exc, entry.strict)
            else:
                good.append((key, entry.mode, entry.adapter))
        if not good:
            return {}, {}
        return _json_schemas(good)

    def rendered(self, value: Any) -> dict[str, Any]:
        """The JSON of a value ``orjson`` cannot encode itself, as its ``default=`` hook: a
        ``PendingSchema`` becomes its rendered schema, any other dataclass its fields (what
        orjson writes for one); anything else is refused."""
        if isinstance(value, PendingSchema):
            schema = dict(self._rendered.get(value.key, {}))
            schema.update(value.extra)
            return schema
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    def resolve(self, node: Any) -> Any:
        """``node`` with every ``PendingSchema`` replaced by its rendered schema."""
        if isinstance(node, PendingSchema):
            schema = dict(self._rendered.get(node.key, {}))
            schema.update(node.extra)
            return schema
        if isinstance(node, dict):
            items = typing.cast(dict[str, Any], node).items()
            return {name: self.resolve(value) for name, value in items}
        if isinstance(node, list):
            return [self.resolve(item) for item in typing.cast(list[object], node)]
        return node


def _json_schemas(
    inputs: Sequence[tuple[int, Mode, TypeAdapter[Any]]],
) -> tuple[dict[tuple[int, Mode], Any], dict[str, Any]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schemas, defs = TypeAdapter.json_schemas(inputs, ref_template=REF_TEMPLATE)
    for warning in caught:
        _log.warning("OpenAPI schema: %s", warning.message)
    return dict(schemas), dict(defs)


def json_default(value: Any) -> tuple[bool, Any]:
    """``(True, value as JSON)`` when ``value`` can appear in the document, else
    ``(False, None)``."""
    if value is ... or value is None:
        return value is None, None
    try:
        return True, to_jsonable_python(value)
    except Exception:
        return False, None
