"""An app's lifespan: its lexigram-di ``Application``, test overrides, the ASGI protocol.

``AppLifespan`` is the part of ``LexigramApp`` that owns the modules, providers and service
overrides, starts and stops the DI application around them (with the app's broadcaster, see
``BroadcastProvider``), and starts the app on its first request when the server sends no
lifespan events. ``run_lifespan`` answers the ASGI lifespan
protocol with an app's ``startup()`` and ``shutdown()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from lexigram.di import Application, Container

from ._broadcast.protocol import Broadcaster
from ._broadcast.provider import BroadcastProvider
from ._declarations import Gate
from ._pipeline.error_responder import send_problem
from ._pipeline.seams import bridge_buses
from ._web_module import web_providers

__all__ = ["AppLifespan", "run_lifespan"]

_log = logging.getLogger("lexigram.web")


class AppLifespan:
    """The DI side of one app's life: modules, providers, overrides, the ``Application``."""

    __slots__ = (
        "_broadcaster_option",
        "_entered",
        "_registered_broadcaster",
        "_start_lock",
        "application",
        "broadcaster",
        "gate",
        "modules",
        "overrides",
        "providers",
    )

    def __init__(
        self,
        modules: Sequence[Any],
        providers: Sequence[Any],
        gate: Gate,
        broadcaster: Any = None,
    ) -> None:
        self.modules = list(modules)
        self.providers = list(providers)
        self.overrides: list[tuple[Any, Any]] = []
        self.gate = gate
        self.application: Application | None = None
        self.broadcaster: Broadcaster | None = None
        """The app's broadcaster while the DI application runs."""
        self._broadcaster_option = broadcaster
        self._registered_broadcaster = False
        """The container's ``Broadcaster`` is the one this app registered when it last ran."""
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

    async def start(self, container: Container, config: Any = None) -> Application:
        """Enter the overrides, start the DI application (with the broadcast provider, which
        reads ``config``, else the first ``WebProvider``'s), bridge the CQRS buses."""

        def web_config() -> Any:
            if config is not None:
                return config
            found = (p.web_config for p in web_providers(application))
            return next((c for c in found if c is not None), None)

        broadcast = BroadcastProvider(
            self._broadcaster_option, web_config, replace=self._registered_broadcaster
        )
        application = Application(self.modules, [*self.providers, broadcast], container=container)
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
        self.broadcaster = broadcast.broadcaster
        self._registered_broadcaster = broadcast.owned
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
        self.broadcaster = None
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

    async def start_for(
        self, startup: Callable[[], Awaitable[None]], scope: Scope, send: Send, debug: bool
    ) -> bool:
        """``start_once`` for a request that came before the app started (a server without
        lifespan): ``True`` once started; on a failure, logged and answered with a 500
        problem (HTTP), ``False``."""
        try:
            await self.start_once(startup)
        except Exception as exc:
            _log.exception("the app failed to start")
            if scope["type"] == "http":
                await send_problem(send, exc, scope=scope, status_map=None, debug=debug)
            return False
        return True


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
