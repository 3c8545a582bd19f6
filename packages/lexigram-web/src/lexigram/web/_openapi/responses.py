"""OpenAPI responses: the success response (``response_model=`` or the handler's return
annotation), responses declared with ``responses=``, and the problem+json responses a route can
actually produce (malformed input, body size and content type, validation, rate limit,
authentication/authorization), which share one ``ProblemDetail`` component schema."""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from lexigram.http_errors import PROBLEM_JSON, reason_phrase

from .._declare.decorators import FROM_ANNOTATION
from .._http.context import RouteInfo
from .._http.response_model import EMPTY, awaited, ok_type
from .._http.responses import HTMLContent, JSONResponse
from ._schema import SchemaCollector, component_ref

__all__ = [
    "PROBLEM_SCHEMA",
    "problem_components",
    "problem_ref",
    "problem_responses",
    "success_responses",
]

_NO_CONTENT = (204, 205, 304)

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ProblemDetail",
    "description": "An RFC 9457 problem: every error answer has this shape.",
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "description": "Validation failures (validation problems only).",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "msg", "type"],
            },
        },
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}

# component name -> (description, headers)
_PROBLEMS: dict[str, tuple[str, dict[str, Any]]] = {
    "BadRequest": (
        "The request is malformed: a body that is not valid JSON or form data, or a path or"
        " query that is not valid UTF-8 or contains control characters.",
        {},
    ),
    "InvalidRequest": (
        "The request is malformed, or its parameters or body failed validation.",
        {},
    ),
    "PayloadTooLarge": ("The request body exceeds the size limit.", {}),
    "UnsupportedMediaType": ("The request body's content type is not accepted.", {}),
    "ValidationProblem": ("The request's parameters or body failed validation.", {}),
    "Unauthorized": ("Authentication is required or failed.", {}),
    "Forbidden": ("The authenticated caller may not do this.", {}),
    "TooManyRequests": (
        "Rate limit exceeded; retry after the given number of seconds.",
        {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    ),
    "NotFound": ("The addressed resource does not exist.", {}),
    "Conflict": ("The request conflicts with the resource's current state.", {}),
}


def problem_components(schema_name: str) -> dict[str, Any]:
    """``components/responses`` for the shared problem answers."""
    components: dict[str, Any] = {}
    for name, (description, headers) in _PROBLEMS.items():
        response: dict[str, Any] = {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": component_ref(schema_name)}},
        }
        if headers:
            response["headers"] = headers
        components[name] = response
    return components


def problem_ref(name: str) -> dict[str, Any]:
    """A reference to one of the shared problem responses (``components/responses``); a
    ``responses=`` entry may be one (``{404: problem_ref("NotFound")}``)."""
    if name not in _PROBLEMS:
        raise ValueError(f"no shared problem response {name!r}; known: {sorted(_PROBLEMS)}")
    return {"$ref": f"#/components/responses/{name}"}


def problem_responses(
    *,
    validates: bool,
    validation_status: int,
    throttled: bool,
    guarded: bool,
    malformed: bool = False,
    body_limited: bool = False,
    json_body: bool = False,
) -> dict[str, Any]:
    """The problem responses one operation can produce (``{}`` when none), by status.

    ``malformed``: the route parses a body, a query or path parameters, so a request that is
    not valid JSON / form data / UTF-8 is a 400; ``body_limited``: it reads a body and a size
    limit applies (413); ``json_body``: it reads a JSON body, so another content type is a 415.
    """
    found: dict[str, Any] = {}
    if malformed:
        both = validates and validation_status == 400
        found["400"] = problem_ref("InvalidRequest" if both else "BadRequest")
    if guarded:
        found["401"] = problem_ref("Unauthorized")
        found["403"] = problem_ref("Forbidden")
    if body_limited:
        found["413"] = problem_ref("PayloadTooLarge")
    if json_body:
        found["415"] = problem_ref("UnsupportedMediaType")
    if validates and str(validation_status) not in found:
        found[str(validation_status)] = problem_ref("ValidationProblem")
    if throttled:
        found["429"] = problem_ref("TooManyRequests")
    return dict(sorted(found.items()))


def _phrase(status: int) -> str:
    try:
        return reason_phrase(status)
    except ValueError:
        return "Response"


def _return_annotation(info: RouteInfo) -> Any:
    annotation = info.returns
    if annotation is ...:  # not compiled from the handler's signature: resolve it here
        try:
            hints = typing.get_type_hints(info.handler, include_extras=True)
        except Exception:
            return EMPTY
        annotation = hints.get("return", EMPTY)
    return awaited(annotation)


def _media_for(annotation: Any) -> tuple[str, dict[str, Any]] | None:
    """Content for a response class annotation (``None`` for no body)."""
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, HTMLResponse) or issubclass(annotation, HTMLContent):
        return "text/html", {"type": "string"}
    if issubclass(annotation, PlainTextResponse):
        return "text/plain", {"type": "string"}
    if issubclass(annotation, JSONResponse):
        return "application/json", {}
    if issubclass(annotation, StreamingResponse):
        return "application/octet-stream", {"type": "string", "format": "binary"}
    media_type: object = getattr(typing.cast(object, annotation), "media_type", None)
    if isinstance(media_type, str) and media_type:  # e.g. text/event-stream
        return media_type, {"type": "string"}
    return None


def _is_response_class(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Response | HTMLContent)


def _success(info: RouteInfo, collector: SchemaCollector, label: str) -> tuple[int, Any]:
    config = info.config
    status = info.status_code
    model = config.response_model if config is not None else None
    description = _phrase(status)
    if model is not None and model is not FROM_ANNOTATION:
        declared = collector.add(model, "serialization", f"{label}: response_model", strict=True)
        return status, {
            "description": description,
            "content": {"application/json": {"schema": declared}},
        }
    annotation = ok_type(_return_annotation(info))
    if annotation is None or annotation is type(None):
        status = 204 if status == 200 else status
        return status, {"description": _phrase(status)}
    if _is_response_class(annotation):
        media = _media_for(annotation)
        response: dict[str, Any] = {"description": description}
        if media is not None and status not in _NO_CONTENT:
            response["content"] = {media[0]: {"schema": media[1]}}
        if isinstance(annotation, type) and issubclass(annotation, RedirectResponse):
            return (status if status != 200 else 307), {"description": "Redirect"}
        return status, response
    if annotation is EMPTY or annotation is Any:
        schema: Any = {}
    else:
        schema = collector.add(
            annotation, "serialization", f"{label}: return annotation", strict=False
        )
    if status in _NO_CONTENT:
        return status, {"description": description}
    return status, {"description": description, "content": {"application/json": {"schema": schema}}}


def _declared(
    declared: Mapping[int | str, Any], collector: SchemaCollector, label: str
) -> dict[str, Any]:
    """``responses={404: Model, 409: {"description": ..., "model": Model}}`` entries; a
    reference (``{"$ref": ...}``, e.g. ``problem_ref("NotFound")``) is used as given."""
    found: dict[str, Any] = {}
    for code, value in declared.items():
        key = str(code)
        phrase = _phrase(int(key)) if key.isdigit() else None
        if isinstance(value, Mapping) and "$ref" in value:
            found[key] = dict(typing.cast(Mapping[str, Any], value))  # used as given
            continue
        if isinstance(value, Mapping):
            response = dict(typing.cast(Mapping[str, Any], value))
            model = response.pop("model", None)
        else:
            response, model = {}, value
        response.setdefault("description", phrase or "Response")
        if model is not None:
            schema = collector.add(model, "serialization", f"{label}: responses[{code!r}]")
            response.setdefault("content", {"application/json": {"schema": schema}})
        found[key] = response
    return found


def success_responses(info: RouteInfo, collector: SchemaCollector, label: str) -> dict[str, Any]:
    """The success response plus those declared with ``responses=``."""
    status, response = _success(info, collector, label)
    found = {str(status): response}
    if info.config is not None and info.config.responses:
        found.update(_declared(info.config.responses, collector, label))
    return found
