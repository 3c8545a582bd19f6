"""Return-value mapping: what a handler returns becomes one ASGI response.

``Response`` -> sent as is; ``None`` -> 204; ``ResultLike`` -> ``Ok`` value with the route status,
``Err`` -> problem+json through the scoped error-status map (the same members as a raised
error: ``instance``, ``request_id``); ``HTMLContent`` -> text/html;
pydantic models (pydantic's serializer), dataclasses, dicts, lists, scalars -> JSON via orjson.
The common case (a dict or list) is one ``orjson.dumps`` and two ``send`` calls with a
precomputed header list.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any, Final

import orjson
from pydantic import BaseModel
from starlette.requests import ClientDisconnect
from starlette.responses import Response, StreamingResponse
from starlette.types import Message, Send

from lexigram.http_errors import ErrorStatusMap, render_exception

from .json import dumps, json_default
from .problem import problem_for
from .request import Request
from .response_model import ResponseModel
from .responses import HTMLContent, JSONResponse

__all__ = [
    "ProblemResponse",
    "Renderer",
    "ResponseAborted",
    "ResultResponseMapper",
    "err_to_exception",
    "is_result_like",
    "joined",
]

JSON_TYPE: Final = (b"content-type", b"application/json")
HTML_TYPE: Final = (b"content-type", b"text/html; charset=utf-8")
_START: Final = "http.response.start"
_BODY: Final = "http.response.body"
_RESPONSE_CALL: Final = Response.__call__
_name: Final = operator.itemgetter(0)


def is_result_like(value: Any) -> bool:
    """Structural check: the value's class has ``is_ok``, ``unwrap`` and ``unwrap_err``."""
    kind: type[Any] = value.__class__
    return (
        callable(getattr(kind, "is_ok", None))
        and callable(getattr(kind, "unwrap", None))
        and callable(getattr(kind, "unwrap_err", None))
    )


class ErrValue(Exception):
    """Wraps a non-exception ``Err`` payload so it renders as a problem (400 by default)."""

    def __init__(self, value: Any) -> None:
        super().__init__(str(value))
        self.value = value


def err_to_exception(error: Any) -> BaseException:
    return error if isinstance(error, BaseException) else ErrValue(error)


def err_status_map(status_map: ErrorStatusMap | None) -> ErrorStatusMap:
    """The map for ``Err`` payloads: ``status_map`` with any other exception as a 400."""
    base = status_map if status_map is not None else ErrorStatusMap()
    return base.child({Exception: 400})


def joined(
    own: Sequence[tuple[bytes, bytes]],
    extra: list[tuple[bytes, bytes]],
    ctx: Request,
    *,
    any_case: bool = False,
) -> list[tuple[bytes, bytes]]:
    """A response's ``own`` headers, then the request's ``extra`` ones (``response_headers``),
    but for the app's default headers (request id, security headers) ``own`` already has
    (``ResponseDefaults.join``)."""
    defaults = ctx.settings.defaults
    if defaults is None:
        return [*own, *extra]
    return defaults.join(own, extra, ctx.scope, any_case=any_case)


def _adding_headers(send: Send, extra: list[tuple[bytes, bytes]], ctx: Request) -> Send:
    """``send`` that appends ``extra`` to the response start (the response stays untouched,
    so a response object returned by several requests never accumulates headers)."""

    async def sending(message: Any) -> None:
        if message["type"] == _START:
            message = {**message, "headers": joined(message["headers"], extra, ctx, any_case=True)}
        await send(message)

    return sending


class ResponseAborted(Exception):
    """A streamed response failed after its headers went out: no error response can follow,
    so the connection is aborted (``cause`` is the failure, to be logged once)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"the response failed after it started: {type(cause).__name__}")
        self.cause = cause


async def _stream(
    response: StreamingResponse, ctx: Request, send: Send, extra: list[tuple[bytes, bytes]] | None
) -> None:
    started = False

    async def tracking(message: Any) -> None:
        nonlocal started
        if message["type"] == _START:
            started = True
            if extra:
                headers = joined(message["headers"], extra, ctx, any_case=True)
                message = {**message, "headers": headers}
        await send(message)

    try:
        await response(ctx.scope, ctx.receive, tracking)
    except ClientDisconnect:
        raise
    except Exception as exc:
        if started:
            raise ResponseAborted(exc) from exc
        raise


class Renderer:
    """Per-route renderer: status, the route's ``ResponseModel`` (``None``: answers are sent
    as returned), error-status map."""

    __slots__ = ("debug", "err_map", "exact", "model", "status", "status_map")

    def __init__(
        self,
        status: int,
        model: ResponseModel | None,
        status_map: ErrorStatusMap | None,
        *,
        debug: bool = False,
    ) -> None:
        self.status = status
        self.debug = debug
        self.model = model
        self.exact: type[BaseModel] | None = (
            model.exact
            if model is not None
            and isinstance(model.exact, type)
            and issubclass(model.exact, BaseModel)
            else None
        )
        """The pydantic model the route declares: a value of exactly that class is serialised
        directly (no validation, no probing what else it could be)."""
        self.status_map = status_map
        self.err_map = err_status_map(status_map)

    def without_model(self) -> Renderer:
        """A renderer with the same status and errors that sends values as returned (for
        what exception filters answer: not the route's model)."""
        if self.model is None:
            return self
        return Renderer(self.status, None, self.status_map, debug=self.debug)

    def encode(self, value: Any) -> tuple[tuple[bytes, bytes], bytes]:
        """Content-type header and body for a plain value."""
        model = self.model
        if model is not None:
            return JSON_TYPE, model.dump(value)
        if isinstance(value, HTMLContent):
            return HTML_TYPE, value.encode()
        if isinstance(value, BaseModel):
            return JSON_TYPE, value.__pydantic_serializer__.to_json(value)
        return JSON_TYPE, dumps(value)

    def complete(
        self, result: Any, ctx: Request, status: int | None = None
    ) -> tuple[Message, Message] | None:
        """The two messages answering ``result`` when they are known now (a value to encode,
        a plain ``Response``), built without a coroutine; ``None`` for what ``send`` answers
        itself (``None``, a ``Result``, a streamed or custom response)."""
        extra = ctx.response_headers
        kind: type[Any] = result.__class__
        if kind is self.exact:
            content_type, body = JSON_TYPE, result.__pydantic_serializer__.to_json(result)
        elif (kind is dict or kind is list) and self.model is None:
            content_type, body = JSON_TYPE, orjson.dumps(result, default=json_default)
        elif isinstance(result, Response):
            if kind.__call__ is not _RESPONSE_CALL or result.background is not None:
                return None
            # what Response.__call__ sends (no wrapping send for the added headers)
            raw = result.raw_headers
            headers = raw
            if extra:  # the app's default headers only where the response has none
                plain = ctx.settings.default_names.isdisjoint(map(_name, raw))
                headers = [*raw, *extra] if plain else joined(raw, extra, ctx)
            start = {"type": _START, "status": result.status_code, "headers": headers}
            return start, {"type": _BODY, "body": result.body}
        elif result is None or (is_result_like(result) and not isinstance(result, BaseModel)):
            return None
        else:
            content_type, body = self.encode(result)
        headers = [content_type, (b"content-length", str(len(body)).encode())]
        if extra:
            headers.extend(extra)
        start = {"type": _START, "status": status or self.status, "headers": headers}
        return start, {"type": _BODY, "body": body}

    async def send(self, result: Any, ctx: Request, send: Send, status: int | None = None) -> None:
        """Send ``result`` as the response to ``ctx`` (``status`` overrides the route's)."""
        messages = self.complete(result, ctx, status)
        if messages is not None:
            await send(messages[0])
            await send(messages[1])
            return
        extra = ctx.response_headers
        if result is None:
            if self.model is not None:
                self.model.check_none()
            code = status or self.status
            code = 204 if code == 200 else code
            headers = list(extra) if extra else []
            if code not in (204, 304) and code >= 200:
                headers.append((b"content-length", b"0"))
            await send({"type": _START, "status": code, "headers": headers})
            await send({"type": _BODY, "body": b""})
            return
        if isinstance(result, StreamingResponse):
            await _stream(result, ctx, send, extra)
            return
        if isinstance(result, Response):
            sending = _adding_headers(send, extra, ctx) if extra else send
            await result(ctx.scope, ctx.receive, sending)
            return
        if result.is_ok():  # a Result (complete() answers everything else)
            await self.send(result.unwrap(), ctx, send, status)
            return
        error = err_to_exception(result.unwrap_err())
        rendered = problem_for(error, ctx.scope, status_map=self.err_map, debug=self.debug)
        headers = joined(rendered.headers, extra, ctx) if extra else rendered.headers
        await send({"type": _START, "status": rendered.status, "headers": headers})
        await send({"type": _BODY, "body": rendered.body})


class ResultResponseMapper:
    """Maps ``Result``-like values to responses.

    ``Ok`` -> JSON with the success status, ``Err`` -> problem+json with the status from
    this mapper's ``ErrorStatusMap`` (domain errors by default: NotFound 404, Validation
    422, PermissionDenied/Authorization 403, Authentication 401, Conflict 409, RateLimit
    429, other DomainError 400; anything else 400). Each app owns one; ``register`` affects
    that app only."""

    def __init__(self, status_map: ErrorStatusMap | None = None, *, debug: bool = False) -> None:
        self.status_map = status_map if status_map is not None else ErrorStatusMap()
        self.err_map = err_status_map(self.status_map)
        self.debug = debug

    def register(self, error_type: type[BaseException], status_code: int) -> None:
        """Map ``error_type`` (and subclasses) to ``status_code`` for this mapper."""
        self.status_map.register(error_type, status_code)

    def to_response(self, result: Any, success_status: int = 200) -> Response:
        """The response for a ``Result``-like value."""
        if not is_result_like(result):
            raise TypeError(
                f"expected a Result-like value (is_ok/unwrap/unwrap_err), got {result!r}"
            )
        if result.is_ok():
            value = result.unwrap()
            if isinstance(value, Response):
                return value
            if value is None:
                return Response(status_code=204 if success_status == 200 else success_status)
            if isinstance(value, BaseModel):
                return Response(value.__pydantic_serializer__.to_json(value), success_status,
                                media_type="application/json")  # fmt: skip
            return JSONResponse(value, success_status)
        return self.error_to_response(result.unwrap_err())

    def error_to_response(self, error: Any) -> Response:
        """The problem+json response for an ``Err`` payload (exception or plain value).

        Sent for a request, it carries that request's ``instance`` and ``request_id`` too."""
        return ProblemResponse(err_to_exception(error), self.err_map, self.debug)


class ProblemResponse(Response):
    """A problem+json response for ``error``; ``body`` and ``headers`` are the problem without
    request members, and sending it renders them for the request being answered (the members
    every other problem has). Headers added after construction are kept."""

    def __init__(self, error: BaseException, status_map: ErrorStatusMap, debug: bool) -> None:
        rendered = render_exception(error, status_map=status_map, debug=debug)
        super().__init__(rendered.body, rendered.status)
        self.raw_headers = list(rendered.headers)
        self._own = len(rendered.headers)
        self._problem = (error, status_map, debug)

    async def __call__(self, scope: Any, receive: Any, send: Send) -> None:
        error, status_map, debug = self._problem
        rendered = problem_for(error, scope, status_map=status_map, debug=debug)
        headers = [*rendered.headers, *self.raw_headers[self._own :]]
        await send({"type": _START, "status": rendered.status, "headers": headers})
        await send({"type": _BODY, "body": rendered.body})
        if self.background is not None:
            await self.background()
