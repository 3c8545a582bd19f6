"""The application lifecycle: register, validate, boot in order, health, shut down in reverse."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from ._container import Container
from ._errors import BootError, ShutdownError
from ._health import HealthCheckResult, HealthReport
from ._provider import Provider
from ._wiring import Unit, build_units, check_exports

Hook = Callable[[], Awaitable[None] | None]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Application:
    """Modules and providers wired into one container, started and stopped as a whole.

    ``await app.start()`` registers every provider and module service (imported modules
    first, application-level providers last), validates the container, then boots each
    provider in that order and runs the startup hooks. A failing boot shuts down what had
    booted (in reverse) and raises ``BootError`` naming the provider.
    ``await app.stop()`` runs the shutdown hooks, shuts providers down in reverse boot order
    and closes the container.
    """

    def __init__(
        self,
        modules: Sequence[Any] = (),
        providers: Sequence[Any] = (),
        container: Container | None = None,
        *,
        health_timeout: float = 5.0,
    ) -> None:
        self.container = container if container is not None else Container()
        self.health_timeout = health_timeout
        self._modules: list[Any] = list(modules)
        self._providers: list[Any] = list(providers)
        self._units: list[Unit] = []
        self._booted: list[Provider] = []
        self._startup: list[Hook] = []
        self._shutdown: list[Hook] = []
        self._state = "created"

    @classmethod
    @asynccontextmanager
    async def boot(
        cls,
        modules: Sequence[Any] = (),
        providers: Sequence[Any] = (),
        container: Container | None = None,
        *,
        health_timeout: float = 5.0,
    ) -> AsyncGenerator[Application, None]:
        """``async with Application.boot(modules=[...]) as app:`` starts, then stops on exit."""
        app = cls(modules, providers, container, health_timeout=health_timeout)
        await app.start()
        try:
            yield app
        finally:
            await app.stop()

    # -- configuration -----------------------------------------------------------------
    def _check_not_started(self, what: str) -> None:
        if self._state != "created":
            raise RuntimeError(f"cannot {what} after the application started; do it before")

    def add_module(self, module: Any) -> Application:
        self._check_not_started("add a module")
        self._modules.append(module)
        return self

    def add_provider(self, provider: Any) -> Application:
        self._check_not_started("add a provider")
        self._providers.append(provider)
        return self

    def on_startup(self, hook: Hook) -> Hook:
        """Run ``hook`` after every provider booted (usable as a decorator)."""
        self._startup.append(hook)
        return hook

    def on_shutdown(self, hook: Hook) -> Hook:
        """Run ``hook`` before providers shut down (usable as a decorator)."""
        self._shutdown.append(hook)
        return hook

    @property
    def started(self) -> bool:
        return self._state == "started"

    @property
    def providers(self) -> list[Provider]:
        """Every provider, in boot order (known once the application started)."""
        return [p for unit in self._units for p in unit.providers]

    @property
    def controllers(self) -> list[type]:
        """The controllers every module declared, in module boot order."""
        return [c for unit in self._units for c in unit.meta.controllers]

    @property
    def modules(self) -> list[str]:
        """The module names, in boot order."""
        return [unit.name for unit in self._units if unit.identity is not None]

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        """Register, validate and boot; see the class docstring."""
        if self._state != "created":
            raise RuntimeError(f"the application is already {self._state}; start it once")
        self._state = "starting"
        try:
            self._units = build_units(self._modules, self._providers)
            await self._register()
            self.container.validate()
            check_exports(self.container, self._units)
        except BaseException:
            self._state = "failed"
            raise
        await self._boot()
        for hook in self._startup:
            result = hook()
            if inspect.isawaitable(result):
                await result
        self._state = "started"

    async def _register(self) -> None:
        container = self.container
        for unit in self._units:
            with container.owned_by(unit.identity):
                for service in unit.services:
                    container.register(service)
                for provider in unit.providers:
                    try:
                        result = provider.register(container)
                        if inspect.isawaitable(result):
                            await result
                    except Exception as exc:
                        name = provider.provider_name
                        raise BootError(
                            f"provider {name} failed to register: {_describe(exc)}; fix its "
                            f"register() (nothing had booted yet)",
                            name,
                        ) from exc

    async def _boot(self) -> None:
        for provider in self.providers:
            try:
                await provider.boot(self.container)
            except BaseException as exc:
                self._state = "failed"
                errors = await self._shutdown_booted()
                if not isinstance(exc, Exception):
                    raise
                name = provider.provider_name
                undone = ", ".join(p.provider_name for p in reversed(self._booted_before(provider)))
                error = BootError(
                    f"provider {name} failed to boot: {_describe(exc)}; the providers booted "
                    f"before it were shut down ({undone or 'none'})",
                    name,
                )
                for problem in errors:
                    error.add_note(f"during rollback: {_describe(problem)}")
                raise error from exc
            self._booted.append(provider)

    def _booted_before(self, provider: Provider) -> list[Provider]:
        providers = self.providers
        return providers[: providers.index(provider)]

    async def _shutdown_booted(self) -> list[BaseException]:
        errors: list[BaseException] = []
        while self._booted:
            provider = self._booted.pop()
            try:
                await provider.shutdown()
            except Exception as exc:
                exc.add_note(f"raised by {provider.provider_name}.shutdown()")
                errors.append(exc)
        try:
            await self.container.aclose()
        except Exception as exc:
            errors.append(exc)
        return errors

    async def stop(self) -> None:
        """Shutdown hooks, then providers in reverse boot order, then the container."""
        if self._state != "started":
            return
        self._state = "stopping"
        errors: list[BaseException] = []
        for hook in reversed(self._shutdown):
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                errors.append(exc)
        errors.extend(await self._shutdown_booted())
        self._state = "stopped"
        if errors:
            summary = "; ".join(_describe(e) for e in errors)
            raise ShutdownError(
                f"{len(errors)} failure(s) while stopping the application: {summary}", errors
            ) from errors[0]

    def lifespan(self) -> AbstractAsyncContextManager[Application]:
        """``start()`` on enter and ``stop()`` on exit, for an ASGI lifespan."""

        @asynccontextmanager
        async def manage() -> AsyncGenerator[Application, None]:
            await self.start()
            try:
                yield self
            finally:
                await self.stop()

        return manage()

    # -- health ----------------------------------------------------------------------------
    async def health_check(self, timeout: float | None = None) -> HealthReport:  # noqa: ASYNC109
        """Check every provider concurrently, each within its own timeout; worst status wins."""
        default = self.health_timeout if timeout is None else timeout
        providers = self.providers
        results = await asyncio.gather(*(self._check(p, default) for p in providers))
        checks: dict[str, HealthCheckResult] = {}
        for provider, result in zip(providers, results, strict=True):
            name = provider.provider_name
            if name in checks:
                name = f"{name}#{len(checks)}"
            checks[name] = result
        return HealthReport.of(checks)

    async def _check(self, provider: Provider, default: float) -> HealthCheckResult:
        limit = provider.health_timeout if provider.health_timeout is not None else default
        try:
            return await asyncio.wait_for(provider.health_check(limit), limit)
        except TimeoutError:
            return HealthCheckResult.unhealthy(f"health check timed out after {limit:g}s")
        except Exception as exc:
            return HealthCheckResult.unhealthy(f"health check raised {type(exc).__name__}")

    def __repr__(self) -> str:
        return f"<Application {self._state}, {len(self.providers)} providers>"
