"""An app's lifespan: its lexigram-di ``Application``, test overrides, the ASGI protocol.

``AppLifespan`` is the part of ``LexigramApp`` that owns the modules, providers and service
overrides, starts and stops the DI application around them, and starts the app on its first
request when the server sends no lifespan events. ``run_lifespan`` answers the ASGI lifespan
protocol with an app's ``startup()`` and ``shutdown()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.types import Message, Receive, Send

from lexigram.di import Application, Container

from ._declarations import Gate
from ._pipeline.seams import bridge_buses

__all__ = ["AppLifespan", "run_lifespan"]

_log = logging.getLogger("lexigram.web")


class AppLifespan:
    """The DI side of one app's life: modules, providers, overrides, the ``Application``."""

    __slots__ = (
        "_entered",
        "_start_lock",
        "application",
        "gate",
        "modules",
        "overrides",
        "providers",
    )

    def __init__(self, modules: Sequence[Any], providers: Sequence[Any], gate: Gate) -> None:
        self.modules = list(modules)
        self.providers = list(providers)
        self.overrides: list[tuple[Any, Any]] = []
        self.gate = gate
        self.application: Application | None = None
        self._entered: list[Any] = []
        self._start_lock: asyncio.Lock | None = None

    def add_module(self, module: Any) -> None:
        self.gate.check("add a module")
        self.modules.append(module)

    def add_provider(self, provider: Any) -> None:
        self.gate.check("add a provider")
        self.providers.append(provider)

    def override(self, service: Any, replacement: Any) -> None:
        self.gate.check("override a service")
        self.overrides.append((service, replacement))

    def withdraw(self, entries: list[tuple[Any, Any]]) -> None:
        """Forget overrides a test client added (its own entries, by identity)."""
        self.overrides[:] = [o for o in self.overrides if not any(o is e for e in entries)]

    async def start(self, container: Container) -> Application:
        """Enter the overrides, start the DI application, bridge the CQRS buses."""
        application = Application(self.modules, self.providers, container=container)
        for service, replacement in self.overrides:
            override = container.override(service, replacement)
            override.__enter__()
            self._entered.append(override)
        try:
            await application.start()
            self._entered.extend(await bridge_buses(container))
        except BaseException:
            await self.abort(application)
            raise
        self.application = application
        return application

    async def abort(self, application: Application) -> None:
        """Undo a start that failed part-way: stop the application, leave the overrides."""
        try:
            await application.stop()
        except Exception:
            _log.exception("stopping the DI application after a failed startup failed")
        self._exit_overrides()

    async def stop(self) -> None:
        """Stop the DI application (providers in reverse order), then leave the overrides."""
        application, self.application = self.application, None
        try:
            if application is not None:
                await application.stop()
        finally:
            self._exit_overrides()

    def _exit_overrides(self) -> None:
        while self._entered:
            self._entered.pop().__exit__(None, None, None)

    async def start_once(self, startup: Callable[[], Awaitable[None]]) -> None:
        """Run ``startup`` unless the app started meanwhile (first requests wait for it)."""
        lock = self._start_lock
        if lock is None:
            lock = self._start_lock = asyncio.Lock()
        async with lock:
            if not self.gate.started:
                await startup()


async def _phase(name: str, step: Callable[[], Awaitable[None]], send: Send) -> None:
    try:
        await step()
    except BaseException as exc:
        _log.exception("%s failed", name)
        text = f"{type(exc).__name__}: {exc}"
        await send({"type": f"lifespan.{name}.failed", "message": text})
        raise
    await send({"type": f"lifespan.{name}.complete"})


async def run_lifespan(
    startup: Callable[[], Awaitable[None]],
    shutdown: Callable[[], Awaitable[None]],
    receive: Receive,
    send: Send,
) -> None:
    """Answer ``lifespan.startup`` and ``lifespan.shutdown``.

    A failure is reported to the server (``*.failed``) and then re-raised, as the ASGI
    lifespan spec expects: servers exit instead of serving a half-started app, and test
    clients raise the startup error instead of waiting on a lifespan that already ended.
    """
    message: Message = await receive()
    if message["type"] == "lifespan.startup":
        await _phase("startup", startup, send)
        message = await receive()
    if message["type"] == "lifespan.shutdown":
        await _phase("shutdown", shutdown, send)
