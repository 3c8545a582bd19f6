"""Binding steps for the values the pipeline or the container fill: the request itself, its
background tasks, a request dependency, a service, or a constant default."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lexigram.di import Container

from .._declare.di import service_getter
from .._declare.errors import ConfigurationError
from .._http.context import ExecutionContext
from ._steps import Step
from .signature import HandlerParam, unwrap_optional

__all__ = ["AsyncStep", "injected_step"]

AsyncStep = Callable[[ExecutionContext], Awaitable[Any]]


def injected_step(
    param: HandlerParam, source: str, container: Container, *, label: str, websocket: bool
) -> tuple[Any, bool, bool]:
    """The step for a parameter the pipeline or the container fills: ``(step, is_async,
    needs_scope)``."""
    if source == "request" and websocket:
        raise ConfigurationError(f"{label}: a WebSocket handler takes a WebSocket, not a Request")
    if source == "websocket" and not websocket:
        raise ConfigurationError(
            f"{label}: parameter {param.name!r} is a WebSocket, but the route is HTTP;"
            " declare the handler with @websocket(path)"
        )
    if source in ("request", "websocket", "context"):
        return _context_step, False, False
    if source == "background":
        return _background_step, False, False
    if source == "dependency":
        assert param.dependency is not None
        return _dependency_step(param.dependency), True, False
    if source == "default":
        return _constant_step(param.default), False, False
    getter = _service(container, param, label)
    if getter.is_async:
        return _async_service_step(getter.get), True, getter.needs_scope
    return _service_step(getter.get), False, getter.needs_scope


def _service(container: Container, param: HandlerParam, label: str) -> Any:
    try:
        return service_getter(container, unwrap_optional(param.annotation))
    except Exception as exc:
        raise ConfigurationError(f"{label}: cannot inject parameter {param.name!r}: {exc}") from exc


def _constant_step(value: Any) -> Step:
    def step(ctx: ExecutionContext) -> Any:
        return value

    return step


def _service_step(get: Callable[[Any], Any]) -> Step:
    def step(ctx: ExecutionContext) -> Any:
        return get(ctx.di_scope)

    return step


def _async_service_step(get: Callable[[Any], Any]) -> Callable[[ExecutionContext], Awaitable[Any]]:
    async def step(ctx: ExecutionContext) -> Any:
        return await get(ctx.di_scope)

    return step


def _dependency_step(dependency: Callable[[Any], Awaitable[Any]]) -> AsyncStep:
    async def step(ctx: ExecutionContext) -> Any:
        return await dependency(ctx)

    return step


def _context_step(ctx: ExecutionContext) -> Any:
    return ctx


def _background_step(ctx: ExecutionContext) -> Any:
    return ctx.get_background()
