"""Binding steps for the request body: JSON (whole or embedded keys), form fields, files."""

from __future__ import annotations

import importlib.util
import inspect
import typing
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from lexigram.http_errors import BadRequestError, HTTPError, UnsupportedMediaTypeError

from .._declare.errors import ConfigurationError
from .._declare.params import ParamMetadata, ParamSource
from .._http.json import dumps, loads
from .._http.json_keys import check_duplicate_keys, fields_bound_keys
from .._http.request import Request
from ._steps import apply_validation, finisher, run_pipes
from .signature import HandlerParam, unwrap_optional
from .validation import ParamError, missing_error, pydantic_errors

__all__ = ["body_step", "form_step", "read_form", "read_json"]

AsyncStep = Callable[[Request], Awaitable[Any]]
_EMPTY = inspect.Parameter.empty
_NO_BODY: Any = object()
_SEQUENCES = (list, set, frozenset, tuple)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _unsupported(content_type: str) -> UnsupportedMediaTypeError:
    shown = content_type or "none"
    return UnsupportedMediaTypeError(f"expected an application/json body, got content type {shown}")


async def read_json(ctx: Request) -> Any:
    """The parsed JSON body (``_NO_BODY`` when empty), parsed once per request."""
    cached = ctx.json_cache
    if cached is not None:
        return cached
    body = await ctx.body()
    if not body:
        ctx.json_cache = _NO_BODY
        return _NO_BODY
    if not _is_json(ctx.content_type):
        raise _unsupported(ctx.content_type)
    try:
        data = loads(body)
    except ValueError:
        raise BadRequestError("request body is not valid JSON") from None
    check_duplicate_keys(body, parsed=data)
    ctx.json_cache = data
    return data


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(Any if annotation is _EMPTY else annotation)


def body_step(
    param: HandlerParam,
    metadata: ParamMetadata,
    wire: str,
    embed: bool,
    pipes: Sequence[Any],
    validation: Callable[[Any], Any] | None,
    strict: bool = True,
) -> AsyncStep:
    """A step reading the JSON body (or one key of it when ``embed``).

    ``strict``: JSON values must have the declared type (no ``"2"`` or ``true`` for an
    ``int``); values a pipe produced are validated leniently (the pipe converts on purpose).
    """
    adapter = _adapter(param.annotation)
    required = metadata.default is ...
    default = metadata.default
    loc: list[str | int] = ["body", wire] if embed else ["body"]

    def finish(value: Any) -> Any:
        if validation is not None:
            value = apply_validation(validation, value, loc)
        return value

    def check(raw: Any, piped: bool) -> Any:
        try:
            if strict and not piped:
                return adapter.validate_json(dumps(raw), strict=True)
            return adapter.validate_python(raw)
        except ValidationError as exc:
            raise ParamError(pydantic_errors(exc, loc)) from None

    if embed or pipes:

        async def from_json(ctx: Request) -> Any:
            data = await read_json(ctx)
            if embed and data is not _NO_BODY:
                if not isinstance(data, dict):
                    raise ParamError(
                        [{"loc": ["body"], "msg": "Input should be an object", "type": "dict_type"}]
                    )
                data = typing.cast(dict[str, Any], data).get(wire, _NO_BODY)
            if data is _NO_BODY:
                if not required:
                    return default
                if not pipes:
                    raise ParamError([missing_error(loc)])
                data = None
            if pipes:
                data = await run_pipes(data, pipes, metadata, loc)
                if data is None:
                    if required:
                        raise ParamError([missing_error(loc)])
                    return default
            return finish(check(data, bool(pipes)))

        return from_json

    return _whole_body(param.annotation, adapter, finish, loc, required, default, strict)


def _whole_body(
    annotation: Any,
    adapter: TypeAdapter[Any],
    finish: Callable[[Any], Any],
    loc: list[str | int],
    required: bool,
    default: Any,
    strict: bool,
) -> AsyncStep:
    """The step validating the whole JSON body straight from its bytes."""
    bounded = fields_bound_keys(annotation)
    # a model's own validator (what Model.model_validate_json calls), else the adapter's
    validate_json = (
        annotation.__pydantic_validator__.validate_json
        if isinstance(annotation, type) and issubclass(annotation, BaseModel)
        else adapter.validate_json
    )

    async def whole_body(ctx: Request) -> Any:
        body = await ctx.body()
        if not body:
            if not required:
                return default
            raise ParamError([missing_error(loc)])
        content_type = ctx.content_type
        if not _is_json(content_type):
            raise _unsupported(content_type)
        try:
            value = validate_json(body, strict=strict)
        except ValidationError as exc:
            if any(err["type"] == "json_invalid" for err in exc.errors(include_url=False)):
                raise BadRequestError("request body is not valid JSON") from None
            check_duplicate_keys(body)
            raise ParamError(pydantic_errors(exc, loc)) from None
        check_duplicate_keys(body, len(value.model_fields_set) if bounded else 0)
        return finish(value)

    return whole_body


async def read_form(ctx: Request) -> FormData:
    """The parsed form (urlencoded or multipart), read once; parser errors are 400s."""
    try:
        form = await ctx.form()
    except HTTPError:
        raise
    except (MultiPartException, StarletteHTTPException) as exc:
        detail = getattr(exc, "message", None) or getattr(exc, "detail", None) or "invalid form"
        raise BadRequestError(str(detail)) from None
    ctx.form_used = True
    return form


def _form_value(form: FormData, wire: str, whole_model: bool, many: bool) -> Any:
    if whole_model:
        return dict(form.multi_items())
    if many:
        return form.getlist(wire) or None
    return form.get(wire)


async def _uploads(raw: Any, many: bool, wants_bytes: bool, loc: list[str | int]) -> Any:
    """Check that ``raw`` holds uploaded files; read them when the handler wants bytes."""
    files: list[Any] = typing.cast(Any, raw) if isinstance(raw, list) else [raw]
    uploads: list[UploadFile] = []
    for upload in files:
        if not isinstance(upload, UploadFile):
            raise ParamError(
                [{"loc": loc, "msg": "Expected an uploaded file", "type": "file_type"}]
            )
        uploads.append(upload)
    if not wants_bytes:
        return uploads if many else uploads[0]
    contents = [await upload.read() for upload in uploads]
    return contents if many else contents[0]


def _require_multipart(label: str) -> None:
    if importlib.util.find_spec("python_multipart") is None:
        raise ConfigurationError(
            f"{label} reads form data, which needs python-multipart:"
            ' pip install "lexigram-web[multipart]"'
        )


def form_step(
    param: HandlerParam,
    metadata: ParamMetadata,
    wire: str,
    source: ParamSource,
    pipes: Sequence[Any],
    validation: Callable[[Any], Any] | None,
    label: str,
) -> AsyncStep:
    """A step reading one form field or uploaded file."""
    _require_multipart(label)
    annotation = unwrap_optional(param.annotation)
    many = typing.get_origin(annotation) in _SEQUENCES
    item = typing.get_args(annotation)[0] if many and typing.get_args(annotation) else annotation
    whole_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    wants_bytes = item is bytes and source is ParamSource.FILE
    adapter: TypeAdapter[Any] | None = None
    if source is not ParamSource.FILE and annotation is not _EMPTY:
        adapter = TypeAdapter(typing.cast(Any, annotation))
    required = metadata.default is ...
    default = metadata.default
    loc: list[str | int] = [source.value, wire]
    convert = adapter.validate_python if adapter is not None else None
    finish = finisher(convert, validation, loc, required, default)

    async def step(ctx: Request) -> Any:
        raw = _form_value(await read_form(ctx), wire, whole_model, many)
        if raw is None and not required:
            return default
        if pipes:
            raw = await run_pipes(raw, pipes, metadata, loc)
        if raw is not None and source is ParamSource.FILE:
            raw = await _uploads(raw, many, wants_bytes, loc)
        return finish(raw)

    return step
