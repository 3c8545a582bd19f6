"""Work deferred until the response has been sent: ``BackgroundTasks`` and ``@background``.

Every HTTP request's pipeline makes its ``ExecutionContext`` the *current request* (a context
variable) while it runs. ``BackgroundTasks`` injected into a handler, and every call of a
``@background`` function made while the request is current, queue work on that request; the
endpoint runs the queue once the response has been sent.

Outside an HTTP request (a WebSocket handler, a script, a test calling the function directly,
or a task that outlived its request) a ``@background`` function simply runs when awaited: there
is no response to wait for.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any, ParamSpec, Protocol

import anyio.to_thread

from .._declare.di import is_coroutine_callable
from .request_id import CURRENT_REQUEST, current_request_id

__all__ = ["FINISHED", "REQUEST_TASKS", "BackgroundTasks", "background"]

_log = logging.getLogger("lexigram.web")
P = ParamSpec("P")


class BackgroundTasks:
    """Tasks to run once the response is out (inject it by type into a handler).

    Each task runs in a copy of the context current when it was added, so context variables
    set during the request (request id, trace id, ...) are visible to it. Coroutine functions
    are awaited; plain functions run in a worker thread. Tasks run one after another in the
    order added; a failing task is logged (with the request id) and the next one still runs.
    Tasks added while the queue runs (a task calling a ``@background`` function) run after it.
    Adding a task once the queue has run raises ``RuntimeError``.
    """

    __slots__ = ("_closed", "_tasks")

    def __init__(self) -> None:
        self._tasks: list[
            tuple[contextvars.Context, Callable[..., Any], tuple[Any, ...], dict[str, Any]]
        ] = []
        self._closed = False

    def add(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue ``func(*args, **kwargs)`` to run after the response."""
        if self._closed:
            raise RuntimeError(
                f"cannot queue {_name(func)}: this request's background tasks already ran"
                " (the response was sent); queue tasks while the request is being handled"
            )
        self._tasks.append((contextvars.copy_context(), func, args, kwargs))

    add_task = add

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def closed(self) -> bool:
        """Whether the tasks already ran (nothing more can be queued)."""
        return self._closed

    async def run(self) -> None:
        """Run the queued tasks in order (the pipeline calls it after sending the response)."""
        try:
            while self._tasks:
                context, func, args, kwargs = self._tasks.pop(0)
                await _run_one(context, func, args, kwargs)
        finally:
            self._closed = True


async def _run_one(
    context: contextvars.Context,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    try:
        if is_coroutine_callable(func):
            await _in_context(context, func, args, kwargs)
        else:
            result = await anyio.to_thread.run_sync(
                functools.partial(context.run, func, *args, **kwargs)
            )
            if inspect.isawaitable(result):
                await _in_context(context, _identity, (result,), {})
    except Exception:
        request_id = context.run(current_request_id)
        _log.exception(
            "background task %s failed (request %s)",
            _name(func),
            request_id or "-",
            extra={"request_id": request_id},
        )


async def _in_context(
    context: contextvars.Context,
    func: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Await ``func(*args, **kwargs)`` with ``context`` as the current context."""
    await asyncio.create_task(_call(func, args, kwargs), context=context)


async def _call(
    func: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    return await func(*args, **kwargs)


async def _identity(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or repr(func)


class _HasTasks(Protocol):
    background: BackgroundTasks | None

    def get_background(self) -> BackgroundTasks: ...


REQUEST_TASKS: ContextVar[_HasTasks | None] = CURRENT_REQUEST
"""The HTTP request being handled (its ``ExecutionContext``), set by the request pipeline
(``current_request_id()`` reads its id)."""

FINISHED = BackgroundTasks()
"""Placed on a request whose pipeline has finished: it accepts no more tasks."""
FINISHED._closed = True  # pyright: ignore[reportPrivateUsage]


def background(func: Callable[P, Awaitable[Any]]) -> Callable[P, Coroutine[Any, Any, None]]:
    """Make a coroutine function defer itself to after the response.

    Awaiting a call made while an HTTP request is being handled queues the call on that
    request's ``BackgroundTasks`` and returns at once (``None``); the function runs after the
    response has been sent, in the caller's context (request id, ...). Outside a request it
    runs immediately (see the module docstring). The undecorated function stays reachable
    as ``__wrapped__``.
    """
    if not is_coroutine_callable(func):
        raise TypeError(
            f"@background needs a coroutine function (async def), got {_name(func)}; a plain"
            " function can be queued with BackgroundTasks.add(func, ...)"
        )

    @functools.wraps(func)
    async def defer(*args: P.args, **kwargs: P.kwargs) -> None:
        request = REQUEST_TASKS.get()
        if request is not None:
            tasks = request.background
            if tasks is None:
                tasks = request.get_background()
            if not tasks.closed:
                tasks.add(func, *args, **kwargs)
                return
        await func(*args, **kwargs)

    return defer
