"""The OpenAPI 3.1 document of an app, built once from its compiled routes.

Each route (except ``include_in_schema=False`` ones, the HEAD answered for a GET, and
WebSockets, listed under ``x-websockets`` instead) becomes one operation: tags, summary and
description (from the docstring unless given), a unique stable ``operationId``, parameters,
request body, the success response, the problem+json responses the route can produce,
``deprecated``, ``security`` (from guards' ``openapi_security``) and the route's API version
(``x-api-version``) when it has one; routes of several versions sharing a path are one
operation listing its versions.
"""

from __future__ import annotations

import inspect
import logging
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .._config.web_config import OpenAPIConfig
from .._declare.decorators import WEBSOCKET
from .._declare.errors import ConfigurationError
from .._declare.metadata import mro_items, mro_value, read_items
from .._http.context import RouteInfo
from .._routing.path_template import parse_template
from ._params import input_kinds, openapi_path, parameters, request_body, validates_input
from ._schema import SchemaCollector
from ._versions import merge_version, route_version, version_value
from ._websockets import own_docstring, websocket_routes
from .responses import (
    PROBLEM_SCHEMA,
    problem_components,
    problem_responses,
    success_responses,
)

__all__ = ["OPENAPI_VERSION", "build_openapi", "openapi_json"]

OPENAPI_VERSION = "3.1.0"
_log = logging.getLogger("lexigram.web.openapi")


@dataclass(slots=True)
class _Operation:
    info: RouteInfo
    path: str
    label: str
    body: dict[str, Any]


def _label(info: RouteInfo) -> str:
    owner = info.controller_class
    handler = (
        f"{owner.__qualname__}.{info.method_name}"
        if owner is not None
        else getattr(info.handler, "__qualname__", repr(info.handler))
    )
    return f"route {info.method} {info.path} (handler {handler})"


def _documented(info: RouteInfo) -> bool:
    if info.auto_head or info.method == WEBSOCKET:
        return False
    return info.config is None or info.config.include_in_schema


def _docstring(fn: Any) -> tuple[str | None, str | None]:
    """(first line, the rest) of ``fn``'s docstring."""
    own = getattr(fn, "__doc__", None)
    if own is None and _local_function(fn):
        return None, None  # nothing to inherit: not a class attribute
    doc = inspect.cleandoc(own) if isinstance(own, str) else inspect.getdoc(fn)
    if not doc:
        return None, None
    first, _, rest = doc.partition("\n")
    return first.strip() or None, rest.strip() or None


def _local_function(fn: Any) -> bool:
    """A function defined in another function (``f.<locals>.g``): no class holds it, so
    ``inspect.getdoc`` finds no docstring to inherit for it."""
    return isinstance(fn, types.FunctionType) and fn.__qualname__.endswith(
        ".<locals>." + fn.__name__
    )


def _controller_tag(cls: type) -> str:
    name = mro_value(cls, "controller_name")
    return name if isinstance(name, str) and name else cls.__name__


def _tags(info: RouteInfo, known: dict[str, str | None]) -> list[str]:
    config = info.config
    tags = list(config.tags) if config is not None else []
    if not tags and info.controller_class is not None:
        cls = info.controller_class
        tag = _controller_tag(cls)
        tags = [tag]
        if tag not in known:
            known[tag] = own_docstring(cls)[0]
            return tags
    for tag in tags:
        known.setdefault(tag, None)
    return tags


def _requirements(value: Any, owner: str) -> list[dict[str, list[str]]]:
    """A guard's ``openapi_security`` as alternative security requirements."""
    if isinstance(value, str):
        return [{value: []}]
    if isinstance(value, Mapping):
        mapping = typing.cast(Mapping[str, Iterable[object]], value)
        return [{str(name): [str(s) for s in scopes] for name, scopes in mapping.items()}]
    if isinstance(value, Iterable):
        found: list[dict[str, list[str]]] = []
        for item in typing.cast(Iterable[object], value):
            found.extend(_requirements(item, owner))
        return found
    raise ConfigurationError(
        f"{owner}.openapi_security must be a scheme name, a mapping of scheme names to scopes,"
        f" or a list of those; got {value!r}"
    )


def _security(
    info: RouteInfo, app_guards: Sequence[Any], schemes: Mapping[str, Any], label: str
) -> list[dict[str, list[str]]] | None:
    declared = [
        *app_guards,
        *(mro_items(info.controller_class, "guards") if info.controller_class else ()),
        *read_items(info.handler, "guards"),
    ]
    combined: list[dict[str, list[str]]] | None = None
    for guard in declared:
        value = getattr(guard, "openapi_security", None)
        if value is None:
            continue
        owner = guard.__qualname__ if isinstance(guard, type) else type(guard).__qualname__
        alternatives = _requirements(value, owner)
        for requirement in alternatives:
            for name in requirement:
                if name not in schemes:
                    raise ConfigurationError(
                        f"{label}: guard {owner} declares openapi_security {name!r}, which is"
                        " not a declared security scheme; add it to OpenAPIConfig"
                        f"(security_schemes={{{name!r}: {{...}}}}) (known: {sorted(schemes)})"
                    )
        if combined is None:
            combined = alternatives
        else:
            combined = [{**a, **b} for a in combined for b in alternatives]
    return combined


def _operation(
    info: RouteInfo,
    collector: SchemaCollector,
    config: OpenAPIConfig,
    validation_status: int,
    app_guards: Sequence[Any],
    tags: dict[str, str | None],
    body_limited: bool,
) -> _Operation:
    template = parse_template(info.path)
    label = _label(info)
    route = info.config
    first, rest = _docstring(info.handler)
    body: dict[str, Any] = {}
    route_tags = _tags(info, tags)
    if route_tags:
        body["tags"] = route_tags
    summary = route.summary if route is not None and route.summary else first
    description = route.description if route is not None and route.description else rest
    if summary:
        body["summary"] = summary
    if description:
        body["description"] = description
    params = parameters(info, template, collector, label)
    if params:
        body["parameters"] = params
    request = request_body(info, collector, label)
    if request is not None:
        body["requestBody"] = request
    responses = success_responses(info, collector, label)
    parses, reads_body, reads_json = input_kinds(info, template)
    problems = problem_responses(
        validates=validates_input(info),
        validation_status=validation_status,
        throttled=info.throttled,
        guarded=bool(info.guards),
        malformed=parses,
        body_limited=reads_body and body_limited,
        json_body=reads_json,
    )
    for status, response in problems.items():
        responses.setdefault(status, response)
    body["responses"] = responses
    version = route_version(info)
    if (route is not None and route.deprecated) or getattr(version, "deprecated", False) is True:
        body["deprecated"] = True
    security = _security(info, app_guards, config.security_schemes, label)
    if security is not None:
        body["security"] = security
    if version is not None:
        body["x-api-version"] = version_value(version)
    return _Operation(info, openapi_path(template), label, body)


def _base_id(info: RouteInfo) -> str:
    if info.controller_class is not None:
        return f"{info.controller_class.__name__}_{info.method_name}"
    return str(getattr(info.handler, "__name__", "operation"))


def _assign_operation_ids(operations: list[_Operation]) -> None:
    """Explicit ids first (a collision fails naming both routes), then derived ones; a derived
    id already taken gets the HTTP method, then a number, appended."""
    taken: dict[str, _Operation] = {}
    for op in operations:
        explicit = op.info.config.operation_id if op.info.config is not None else None
        if explicit is None:
            continue
        other = taken.get(explicit)
        if other is not None:
            raise ConfigurationError(
                f"operation_id {explicit!r} is used by {other.label} and {op.label}; give one"
                " of them another operation_id="
            )
        taken[explicit] = op
        op.body["operationId"] = explicit
    next_number: dict[str, int] = {}  # per "<base>_<method>": the next suffix to try (linear)
    for op in operations:
        if "operationId" in op.body:
            continue
        base = _base_id(op.info)
        candidate = base
        if candidate in taken:
            candidate = stem = f"{base}_{op.info.method.lower()}"
            number = next_number.get(stem, 2)
            while candidate in taken:
                candidate = f"{stem}_{number}"
                number += 1
            next_number[stem] = number
        taken[candidate] = op
        op.body["operationId"] = candidate


def _ordered_operation(body: dict[str, Any]) -> dict[str, Any]:
    order = ("tags", "summary", "description", "operationId")
    ordered = {key: body[key] for key in order if key in body}
    ordered.update((key, value) for key, value in body.items() if key not in ordered)
    return ordered


def build_openapi(
    routes: Iterable[RouteInfo],
    config: OpenAPIConfig,
    *,
    validation_status: int = 422,
    app_guards: Sequence[Any] = (),
    root_path: str = "",
    versioning: Any = None,
    body_limited: bool = True,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (``ConfigurationError`` naming the route for a
    bad ``response_model``, an unknown security scheme, or a duplicate ``operation_id``).

    ``versioning`` (a ``VersioningConfig``) tells how versions sharing a path are selected;
    ``body_limited``: a request body size limit applies (routes reading a body answer 413)."""
    document, collector = _document(
        routes, config, validation_status, app_guards, root_path, versioning, body_limited
    )
    document["paths"] = collector.resolve(document["paths"])
    return document


def openapi_json(
    routes: Iterable[RouteInfo],
    config: OpenAPIConfig,
    *,
    validation_status: int = 422,
    app_guards: Sequence[Any] = (),
    root_path: str = "",
    versioning: Any = None,
    body_limited: bool = True,
) -> bytes:
    """``build_openapi`` encoded as JSON, each schema written where it is used as it is
    encoded (no resolved copy of the document is built)."""
    document, collector = _document(
        routes, config, validation_status, app_guards, root_path, versioning, body_limited
    )
    return orjson.dumps(
        document, default=collector.rendered, option=orjson.OPT_PASSTHROUGH_DATACLASS
    )


def _document(
    routes: Iterable[RouteInfo],
    config: OpenAPIConfig,
    validation_status: int,
    app_guards: Sequence[Any],
    root_path: str,
    versioning: Any,
    body_limited: bool,
) -> tuple[dict[str, Any], SchemaCollector]:
    """The document with its schemas still placeholders, and the collector rendering them."""
    collector = SchemaCollector()
    tags: dict[str, str | None] = {}
    routes = list(routes)
    operations = [
        _operation(info, collector, config, validation_status, app_guards, tags, body_limited)
        for info in routes
        if _documented(info)
    ]
    _assign_operation_ids(operations)
    collector.render()
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        methods = paths.setdefault(op.path, {})
        method = op.info.method.lower()
        shown = methods.get(method)
        if shown is not None:
            merge_version(shown, op.body, op.label, versioning)
            continue
        methods[method] = _ordered_operation(op.body)
    schemas = dict(collector.components)
    problem_name = "ProblemDetail" if "ProblemDetail" not in schemas else "HTTPProblemDetail"
    schemas[problem_name] = PROBLEM_SCHEMA
    components: dict[str, Any] = {
        "schemas": dict(sorted(schemas.items())),
        "responses": problem_components(problem_name),
    }
    if config.security_schemes:
        components["securitySchemes"] = {
            name: dict(scheme) for name, scheme in config.security_schemes.items()
        }
    info: dict[str, Any] = {"title": config.title, "version": config.version}
    if config.description:
        info["description"] = config.description
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if root_path:
        document["servers"] = [{"url": root_path}]
    document["paths"] = paths
    document["components"] = components
    sockets = websocket_routes(routes)
    if sockets:
        document["x-websockets"] = sockets
    if tags:
        document["tags"] = [
            {"name": name, "description": text} if text else {"name": name}
            for name, text in tags.items()
        ]
    return document, collector
