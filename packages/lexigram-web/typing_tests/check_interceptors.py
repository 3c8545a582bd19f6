"""Type-checked, never run: the interceptor seam accepts what users write.

``CallHandlerProtocol.handle`` returns an awaitable: the framework's ``CallHandler`` (a plain
method returning the rest of the chain) and a user's own handler written with ``async def``
both satisfy it, and ``await next_handler.handle()`` has the handler's result type ``Any``.
"""

from typing import Any, assert_type

from lexigram.web import (
    CallHandler,
    CallHandlerProtocol,
    ExecutionContextProtocol,
    Interceptor,
    InterceptorProtocol,
)


class Upper(Interceptor):
    async def intercept(
        self, context: ExecutionContextProtocol, next_handler: CallHandlerProtocol
    ) -> Any:
        result = await next_handler.handle()
        assert_type(result, Any)
        return result


class Replayed:
    """A hand-written next handler (as a test double would be)."""

    async def handle(self) -> Any:
        return 1


def framework_handler(handler: CallHandler) -> CallHandlerProtocol:
    return handler


own: CallHandlerProtocol = Replayed()
interceptor: InterceptorProtocol = Upper()
