"""``BackgroundTasks``: work queued by a handler, run after the response has been sent."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import anyio.to_thread

__all__ = ["BackgroundTasks"]

_log = logging.getLogger("lexigram.web")


class BackgroundTasks:
    """Collects tasks to run once the response is out (inject it by type into a handler).

    Each task runs in a copy of the context current when it was added, so context variables
    set during the request (request id, trace id, ...) are visible to it. Coroutine functions
    are awaited; plain functions run in a worker thread. A failing task is logged and does not
    stop the others.
    """

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: list[
            tuple[contextvars.Context, Callable[..., Any], tuple[Any, ...], dict[str, Any]]
        ] = []

    def add(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue ``func(*args, **kwargs)`` to run after the response."""
        self._tasks.append((contextvars.copy_context(), func, args, kwargs))

    add_task = add

    def __len__(self) -> int:
        return len(self._tasks)

    async def run(self) -> None:
        """Run the queued tasks in order (called by the app after sending the response)."""
        tasks, self._tasks = self._tasks, []
        for context, func, args, kwargs in tasks:
            try:
                if inspect.iscoroutinefunction(func):
                    await asyncio.create_task(func(*args, **kwargs), context=context)
                else:
                    await anyio.to_thread.run_sync(
                        functools.partial(context.run, func, *args, **kwargs)
                    )
            except Exception:
                _log.exception("background task %r failed", getattr(func, "__name__", func))
