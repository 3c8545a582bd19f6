import asyncio
from collections.abc import Iterator

import pytest

from lexigram.di import (
    Application,
    BootError,
    Container,
    HealthCheckResult,
    HealthStatus,
    MissingDependencyError,
    Provider,
    ShutdownError,
    module,
)


class Pool:
    def __init__(self) -> None:
        self.open = True


class Log(list[str]):
    pass


class Step(Provider):
    def __init__(self, log: Log, label: str, *, fail_boot: bool = False) -> None:
        self.log = log
        self.label = label
        self.fail_boot = fail_boot

    @property
    def provider_name(self) -> str:
        return self.label

    async def boot(self, container: Container) -> None:
        if self.fail_boot:
            raise ConnectionError("refused")
        self.log.append(f"boot {self.label}")

    async def shutdown(self) -> None:
        self.log.append(f"shutdown {self.label}")


class PoolProvider(Provider):
    """Registers with an async register() and resolves at boot."""

    def __init__(self) -> None:
        self.pool: Pool | None = None

    async def register(self, container: Container) -> None:
        container.singleton(Pool)

    async def boot(self, container: Container) -> None:
        self.pool = await container.aresolve(Pool)

    async def shutdown(self) -> None:
        assert self.pool is not None
        self.pool.open = False


async def test_boot_context_starts_and_stops() -> None:
    provider = PoolProvider()
    async with Application.boot(providers=[provider]) as app:
        started_inside = app.started
        assert app.container.resolve(Pool) is provider.pool
    assert (started_inside, app.started) == (True, False)
    assert provider.pool is not None and not provider.pool.open


async def test_failing_boot_rolls_back_and_names_the_provider() -> None:
    log = Log()
    providers = [Step(log, "first"), Step(log, "second"), Step(log, "broken", fail_boot=True),
                 Step(log, "never")]  # fmt: skip
    with pytest.raises(BootError) as info:
        await Application(providers=providers).start()
    assert log == ["boot first", "boot second", "shutdown second", "shutdown first"]
    assert info.value.provider == "broken"
    assert str(info.value).startswith("provider broken failed to boot: ConnectionError: refused")
    assert "(second, first)" in str(info.value)
    assert isinstance(info.value.__cause__, ConnectionError)


async def test_rollback_finalizes_container_singletons() -> None:
    log = Log()

    def pool() -> Iterator[Pool]:
        yield Pool()
        log.append("pool closed")

    class Opens(Provider):
        def register(self, container: Container) -> None:
            container.singleton(Pool, factory=pool)

        async def boot(self, container: Container) -> None:
            container.resolve(Pool)

    with pytest.raises(BootError):
        await Application(providers=[Opens(), Step(log, "bad", fail_boot=True)]).start()
    assert log == ["pool closed"]


async def test_failing_register_is_a_boot_error_naming_the_provider() -> None:
    class Bad(Provider):
        def register(self, container: Container) -> None:
            raise ValueError("bad config")

    with pytest.raises(BootError, match="provider Bad failed to register: ValueError: bad config"):
        await Application(providers=[Bad()]).start()


async def test_boot_validates_the_container() -> None:
    class Needy:
        def __init__(self, pool: Pool) -> None:
            self.pool = pool

    @module(providers=[Needy])
    class Feature:
        pass

    log = Log()
    with pytest.raises(MissingDependencyError, match="Needy"):
        await Application(modules=[Feature], providers=[Step(log, "s")]).start()
    assert log == []


async def test_start_and_stop_drive_hooks_for_an_asgi_lifespan() -> None:
    log = Log()
    app = Application(providers=[Step(log, "p")])

    @app.on_startup
    async def started() -> None:
        log.append("startup hook")

    @app.on_shutdown
    def stopping() -> None:
        log.append("shutdown hook")

    async with app.lifespan():
        assert log == ["boot p", "startup hook"]
    assert log[2:] == ["shutdown hook", "shutdown p"]


async def test_start_twice_is_refused() -> None:
    app = Application()
    await app.start()
    with pytest.raises(RuntimeError, match="already started"):
        await app.start()
    await app.stop()


async def test_stop_before_start_does_nothing() -> None:
    app = Application()
    await app.stop()
    assert not app.started


async def test_add_provider_after_start_is_refused() -> None:
    async with Application.boot() as app:
        with pytest.raises(RuntimeError, match="before"):
            app.add_provider(Step(Log(), "late"))


async def test_add_module_and_add_provider_before_start() -> None:
    log = Log()

    @module(providers=[Step(log, "from module")])
    class Feature:
        pass

    app = Application().add_module(Feature).add_provider(Step(log, "direct"))
    async with app.lifespan():
        assert [p.provider_name for p in app.providers] == ["from module", "direct"]


async def test_shutdown_failures_do_not_stop_other_providers_and_are_raised() -> None:
    log = Log()

    class BadShutdown(Provider):
        async def shutdown(self) -> None:
            raise OSError("stuck")

    app = Application(providers=[Step(log, "a"), BadShutdown(), Step(log, "b")])
    await app.start()
    with pytest.raises(ShutdownError, match="OSError: stuck"):
        await app.stop()
    assert log[-2:] == ["shutdown b", "shutdown a"]


async def test_provider_classes_are_instantiated() -> None:
    async with Application.boot(providers=[PoolProvider]) as app:
        assert isinstance(app.providers[0], PoolProvider)


async def test_application_uses_a_given_container() -> None:
    container = Container().singleton(Pool)
    async with Application.boot(container=container) as app:
        assert app.container is container


class Healthy(Provider):
    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        return HealthCheckResult.healthy("ok", connections=3)


class Degraded(Provider):
    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        return HealthCheckResult.degraded("slow")


class Hangs(Provider):
    health_timeout = 0.05

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        await asyncio.Event().wait()
        return HealthCheckResult.healthy()


class Raises(Provider):
    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        raise RuntimeError("secret internals")


async def test_health_check_aggregates_the_worst_status() -> None:
    async with Application.boot(providers=[Healthy(), Degraded()]) as app:
        report = await app.health_check()
    assert report.status is HealthStatus.DEGRADED
    assert report.checks["Healthy"].details == {"connections": 3}
    assert report.to_dict() == {
        "status": "degraded",
        "checks": {
            "Healthy": {"status": "healthy", "message": "ok", "details": {"connections": 3}},
            "Degraded": {"status": "degraded", "message": "slow"},
        },
    }


async def test_health_check_times_out_per_provider() -> None:
    async with Application.boot(providers=[Healthy(), Hangs()]) as app:
        report = await app.health_check(timeout=5.0)
    assert report.status is HealthStatus.UNHEALTHY
    assert report.checks["Hangs"].message == "health check timed out after 0.05s"
    assert report.checks["Healthy"].is_healthy


async def test_health_check_exception_is_unhealthy_without_its_text() -> None:
    async with Application.boot(providers=[Raises()]) as app:
        report = await app.health_check()
    assert report.checks["Raises"].status is HealthStatus.UNHEALTHY
    assert "secret" not in report.checks["Raises"].message


async def test_default_provider_is_healthy() -> None:
    async with Application.boot(providers=[Provider()]) as app:
        assert (await app.health_check()).is_healthy
