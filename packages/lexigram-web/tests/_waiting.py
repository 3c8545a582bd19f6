"""Waiting on a condition with a deadline (never a bare sleep): the tests' one poller."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

DEADLINE = 10.0
"""Seconds a condition may take before the test fails (far above what it needs)."""


async def until(condition: Callable[[], bool], what: str, bound: float = DEADLINE) -> None:
    """Return once ``condition()`` holds; fail naming ``what`` after ``bound`` seconds."""
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {bound}s waiting for {what}")
        await asyncio.sleep(0.01)


def wait_until(condition: Callable[[], bool], what: str, bound: float = DEADLINE) -> None:
    """``until`` for code outside an event loop (a ``TestClient`` block)."""
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {bound}s waiting for {what}")
        time.sleep(0.01)
