"""The compiled endpoint of a ``@websocket`` route: DI scope, guards, binding, handler."""

from __future__ import annotations

import logging
from inspect import isawaitable
from typing import Any

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect, WebSocketState

from lexigram.http_errors import HTTPError

from ._components import get_instance
from ._context import ExecutionContext
from ._endpoint import Endpoint, EndpointParts
from ._validation import RequestValidationError
from ._websocket import WebSocket

__all__ = ["build_websocket_endpoint"]

_log = logging.getLogger("lexigram.web")
POLICY_VIOLATION = 1008
INTERNAL_ERROR = 1011


def build_websocket_endpoint(parts: EndpointParts) -> Endpoint:
    info = parts.info
    plan = parts.plan
    call = parts.call
    controller = parts.controller
    guards = tuple(parts.guards)
    settings = parts.settings
    container = parts.container
    needs_scope = plan.needs_scope or (controller is not None and controller.needs_scope)

    async def endpoint(scope: Scope, receive: Receive, send: Send, params: dict[str, Any]) -> None:
        websocket = WebSocket(scope, receive, send)
        ctx = ExecutionContext(scope, receive, send, params, info, settings)
        ctx.websocket = websocket
        di_scope = None
        try:
            if needs_scope:
                di_scope = ctx.di_scope = container.scope()
            for component in guards:
                guard = await get_instance(component, ctx)
                allowed = guard.can_activate(ctx)
                if isawaitable(allowed):
                    allowed = await allowed
                if not allowed:
                    await websocket.close(POLICY_VIOLATION)
                    return
            kwargs = await plan.abind(ctx) if plan.has_async else plan.bind(ctx)
            target = call
            if controller is not None:
                instance = controller.get(ctx.di_scope)
                if controller.is_async:
                    instance = await instance
                target = getattr(instance, info.method_name or "")
            await target(**kwargs)
        except WebSocketDisconnect:
            pass
        except (HTTPError, RequestValidationError) as exc:
            await _close(websocket, POLICY_VIOLATION, exc.detail)
        except Exception:
            _log.exception("websocket handler %s failed", info.name)
            await _close(websocket, INTERNAL_ERROR, "")
        finally:
            if di_scope is not None:
                try:
                    await di_scope.aclose()
                except Exception:
                    _log.exception("closing the websocket's DI scope failed")

    return endpoint


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.application_state == WebSocketState.DISCONNECTED:
        return
    try:
        await websocket.close(code, reason[:120])
    except Exception:
        _log.debug("could not close the websocket", exc_info=True)
