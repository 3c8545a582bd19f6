"""``RequestTimer``: an around-interceptor timing every handler."""

from __future__ import annotations

import logging
import time
from typing import Any

from lexigram.web import CallHandler, ExecutionContext

from .settings import OrdersSettings

__all__ = ["RequestTimer"]

_log = logging.getLogger("examples.orders.timing")


class RequestTimer:
    """Adds ``Server-Timing: app;dur=<ms>`` to every answer (errors included) and logs the
    requests slower than ``slow_request_ms``."""

    def __init__(self, settings: OrdersSettings) -> None:
        self.slow_ms = settings.slow_request_ms

    async def intercept(self, context: ExecutionContext, next_handler: CallHandler) -> Any:
        start = time.perf_counter()
        try:
            return await next_handler.handle()
        finally:
            elapsed = (time.perf_counter() - start) * 1000.0
            context.add_header("Server-Timing", f"app;dur={elapsed:.1f}")
            if elapsed > self.slow_ms:
                _log.warning("slow request: %s %s took %.0f ms", context.method, context.path,
                             elapsed)  # fmt: skip
