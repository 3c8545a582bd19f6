"""OpenAPI parameters (path, query, header, cookie) and request bodies (JSON, form, multipart),
read from how each route binds its handler's parameters."""

from __future__ import annotations

import collections.abc
import inspect
import typing
from typing import Any

from pydantic import BaseModel

from .._binding.signature import unwrap_optional
from .._declare.params import BoundParam, ParamSource
from .._http.context import RouteInfo
from .._routing.path_template import ParamSegment, PathTemplate
from ._schema import PendingSchema, SchemaCollector, json_default

__all__ = ["input_kinds", "openapi_path", "parameters", "request_body", "validates_input"]

_EMPTY = inspect.Parameter.empty
_LOCATIONS = (ParamSource.PATH, ParamSource.QUERY, ParamSource.HEADER, ParamSource.COOKIE)
_MANY = (list, tuple, set, frozenset, collections.abc.Sequence)
_BINARY: dict[str, Any] = {"type": "string", "format": "binary"}
_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "path": {"type": "string"},
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
}
Schema = PendingSchema | dict[str, Any]


def openapi_path(template: PathTemplate) -> str:
    """``/users/{id:int}`` -> ``/users/{id}``."""
    parts = [s if isinstance(s, str) else "{" + s.name + "}" for s in template.segments]
    return "/" + "/".join(parts)


def validates_input(info: RouteInfo) -> bool:
    """Whether the route binds anything from the request (so it can answer a validation
    error)."""
    return any(isinstance(p.source, ParamSource) for p in info.params)


_PARSED = (ParamSource.BODY, ParamSource.FORM, ParamSource.FILE, ParamSource.QUERY)
_BODIES = (ParamSource.BODY, ParamSource.FORM, ParamSource.FILE)


def input_kinds(info: RouteInfo, template: PathTemplate) -> tuple[bool, bool, bool]:
    """``(parses, reads_body, reads_json)``: whether the route parses a body, a query or path
    parameters (a malformed one is a 400), reads a body at all, and reads a JSON body."""
    sources = {p.source for p in info.params}
    reads_body = any(s in sources for s in _BODIES)
    has_path = any(isinstance(s, ParamSegment) for s in template.segments)
    parses = has_path or any(s in sources for s in _PARSED)
    return parses, reads_body, ParamSource.BODY in sources


def _not_null(annotation: Any) -> Any:
    """``X | None`` -> ``X``, also inside ``Annotated[X | None, ...]``."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *extras = typing.get_args(annotation)
        inner = unwrap_optional(base)
        return annotation if inner is base else typing.Annotated[(inner, *extras)]
    return unwrap_optional(annotation)


def _schema(
    collector: SchemaCollector,
    param: BoundParam,
    label: str,
    fallback: dict[str, Any],
    *,
    in_body: bool = True,
) -> Schema:
    """The parameter's schema. Outside a body (a path, query, header or cookie value) a value
    is a string or absent, never JSON ``null``: ``X | None`` is documented as ``X``, optional,
    without a ``null`` default."""
    annotation = param.annotation if in_body else _not_null(param.annotation)
    if annotation is _EMPTY:
        schema: Schema = dict(fallback)
    else:
        schema = collector.add(
            annotation, "validation", f"{label}: parameter {param.name!r}", strict=False
        )
    if not param.required:
        known, value = json_default(param.default)
        if known and (in_body or value is not None):
            if isinstance(schema, PendingSchema):
                schema.extra["default"] = value
            else:
                schema["default"] = value
    return schema


def parameters(
    info: RouteInfo, template: PathTemplate, collector: SchemaCollector, label: str
) -> list[dict[str, Any]]:
    """The operation's parameters; every path template parameter is listed (from its
    converter when the handler does not bind it)."""
    converters = {
        s.name: s.converter.name for s in template.segments if isinstance(s, ParamSegment)
    }
    found: list[dict[str, Any]] = []
    listed: set[tuple[str, str]] = set()
    for param in info.params:
        source = param.source
        if source not in _LOCATIONS or param.wire is None:
            continue
        assert isinstance(source, ParamSource)
        key = (source.value, param.wire)
        if key in listed:
            continue
        listed.add(key)
        fallback = _CONVERTER_SCHEMAS.get(converters.get(param.wire, "str"), {})
        entry: dict[str, Any] = {
            "name": param.wire,
            "in": source.value,
            "required": source is ParamSource.PATH or param.required,
            "schema": _schema(collector, param, label, fallback, in_body=False),
        }
        found.append(entry)
    for name, converter in converters.items():
        if ("path", name) not in listed:
            found.append(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": dict(_CONVERTER_SCHEMAS.get(converter, {})),
                }
            )
    return found


def _is_many(annotation: Any) -> bool:
    return typing.get_origin(unwrap_optional(annotation)) in _MANY


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _json_body(
    params: list[BoundParam], collector: SchemaCollector, label: str
) -> tuple[Schema, bool]:
    if len(params) == 1 and not params[0].embed:
        param = params[0]
        return _schema(collector, param, label, {}), param.required
    properties = {p.wire or p.name: _schema(collector, p, label, {}) for p in params}
    required = [p.wire or p.name for p in params if p.required]
    return _object(properties, required), bool(required)


def _form_body(
    params: list[BoundParam], collector: SchemaCollector, label: str
) -> tuple[Schema, bool]:
    if len(params) == 1 and params[0].source is ParamSource.FORM:
        model = unwrap_optional(params[0].annotation)
        if isinstance(model, type) and issubclass(model, BaseModel):
            return _schema(collector, params[0], label, {}), params[0].required
    properties: dict[str, Any] = {}
    for param in params:
        name = param.wire or param.name
        if param.source is ParamSource.FILE:
            properties[name] = (
                {"type": "array", "items": dict(_BINARY)}
                if _is_many(param.annotation)
                else dict(_BINARY)
            )
        else:
            properties[name] = _schema(collector, param, label, {})
    required = [p.wire or p.name for p in params if p.required]
    return _object(properties, required), bool(required)


def request_body(info: RouteInfo, collector: SchemaCollector, label: str) -> dict[str, Any] | None:
    """The operation's request body: JSON for body parameters; urlencoded or multipart for
    form fields; multipart when files are uploaded."""
    json_params = [p for p in info.params if p.source is ParamSource.BODY]
    form_params = [p for p in info.params if p.source in (ParamSource.FORM, ParamSource.FILE)]
    if not json_params and not form_params:
        return None
    content: dict[str, Any] = {}
    required = False
    if json_params:
        schema, needed = _json_body(json_params, collector, label)
        content["application/json"] = {"schema": schema}
        required = required or needed
    if form_params:
        schema, needed = _form_body(form_params, collector, label)
        has_files = any(p.source is ParamSource.FILE for p in form_params)
        if not has_files:
            content["application/x-www-form-urlencoded"] = {"schema": schema}
        content["multipart/form-data"] = {"schema": schema}
        required = required or needed
    return {"required": required, "content": content}
