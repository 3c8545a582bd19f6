import asyncio
import inspect
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

from lexigram.di import Container, ResolutionError


class Pool:
    pass


class Repo:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool


class Service:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo


async def make_pool() -> Pool:
    await asyncio.sleep(0)
    return Pool()


async def test_aresolve_awaits_async_factories_through_the_graph() -> None:
    container = Container().singleton(Pool, factory=make_pool).transient(Repo).transient(Service)
    service = await container.aresolve(Service)
    assert service.repo.pool is await container.aresolve(Pool)


async def test_sync_resolve_of_an_async_graph_names_the_type_and_fix() -> None:
    container = Container().singleton(Pool, factory=make_pool).transient(Repo).transient(Service)
    with pytest.raises(ResolutionError) as info:
        container.resolve(Service)
    message = str(info.value)
    assert "Service needs an async factory (through Service -> Repo -> Pool)" in message
    assert "await container.aresolve(Service)" in message


async def test_sync_resolve_returns_an_async_singleton_once_created() -> None:
    container = Container().singleton(Pool, factory=make_pool)
    with pytest.raises(ResolutionError, match="once created that way"):
        container.resolve(Pool)
    pool = await container.aresolve(Pool)
    assert container.resolve(Pool) is pool


async def test_async_singleton_factory_runs_once_under_concurrent_resolution() -> None:
    calls: list[int] = []
    release = asyncio.Event()

    async def slow_pool() -> Pool:
        calls.append(1)
        await release.wait()
        return Pool()

    container = Container().singleton(Pool, factory=slow_pool).transient(Repo)
    tasks = [asyncio.create_task(container.aresolve(Repo)) for _ in range(100)]
    await asyncio.sleep(0)
    release.set()
    repos = await asyncio.gather(*tasks)
    assert calls == [1]
    assert len({id(r.pool) for r in repos}) == 1


async def test_failed_async_singleton_is_retried_on_next_resolution() -> None:
    attempts: list[int] = []

    async def flaky() -> Pool:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("down")
        return Pool()

    container = Container().singleton(Pool, factory=flaky)
    with pytest.raises(ConnectionError):
        await container.aresolve(Pool)
    assert isinstance(await container.aresolve(Pool), Pool)


async def test_async_scoped_factory_runs_once_per_scope_under_concurrency() -> None:
    calls: list[int] = []

    async def make() -> Pool:
        calls.append(1)
        await asyncio.sleep(0)
        return Pool()

    container = Container().scoped(Pool, factory=make)
    async with container.scope() as scope:
        pools = await asyncio.gather(*(scope.aresolve(Pool) for _ in range(20)))
    assert calls == [1]
    assert len({id(p) for p in pools}) == 1


async def test_async_generator_factory_yields_its_value_and_finalizes() -> None:
    log: list[str] = []

    async def pool() -> AsyncIterator[Pool]:
        yield Pool()
        log.append("closed")

    container = Container().scoped(Pool, factory=pool).transient(Repo)
    async with container.scope() as scope:
        assert isinstance((await scope.aresolve(Repo)).pool, Pool)
    assert log == ["closed"]


async def test_aresolve_of_a_sync_graph_works() -> None:
    container = Container().transient(Pool).transient(Repo)
    assert isinstance((await container.aresolve(Repo)).pool, Pool)


async def test_aresolve_all_awaits_each_registration() -> None:
    container = Container().singleton(Pool, factory=make_pool).transient(Pool)
    pools = await container.aresolve_all(Pool)
    assert len(pools) == 2
    with pytest.raises(ResolutionError, match="aresolve"):
        container.resolve_all(Pool)


async def test_aresolve_of_a_sync_graph_follows_an_async_override() -> None:
    container = Container().transient(Pool).transient(Repo)
    scope = container.scope()
    await scope.aresolve(Repo)  # the sync graph is now on the direct path
    made = Pool()

    async def async_pool() -> Pool:
        await asyncio.sleep(0)
        return made

    with container.override(Pool, factory=async_pool):
        assert (await scope.aresolve(Repo)).pool is made
        assert (await container.aresolve(Repo)).pool is made
    assert (await scope.aresolve(Repo)).pool is not made
    await scope.aclose()


async def test_aresolver_of_a_sync_graph_follows_an_async_override() -> None:
    container = Container().transient(Pool).transient(Repo)
    resolve = container.aresolver(Repo)
    assert isinstance((await resolve(None)).pool, Pool)
    made = Pool()

    async def async_pool() -> Pool:
        return made

    with container.override(Pool, factory=async_pool):
        assert (await resolve(None)).pool is made
    assert (await resolve(None)).pool is not made


async def test_acall_injects_sync_and_async_dependencies_in_a_scope() -> None:
    container = Container().singleton(Pool, factory=make_pool).scoped(Repo)

    def use(repo: Repo, pool: Pool) -> tuple[Repo, Pool]:
        return repo, pool

    async with container.scope() as scope:
        repo, pool = await scope.acall(use)
        assert repo is await scope.aresolve(Repo)
    assert repo.pool is pool


async def test_async_scope_closed_by_aclose_runs_finalizers_and_refuses_resolving() -> None:
    log: list[str] = []

    def pool() -> Iterator[Pool]:
        yield Pool()
        log.append("closed")

    container = Container().scoped(Pool, factory=pool)
    scope = container.scope()
    await scope.aresolve(Pool)
    await scope.aclose()
    assert log == ["closed"]
    with pytest.raises(ResolutionError, match="this scope is closed"):
        await scope.aresolve(Pool)


@contextmanager
def coroutines_run() -> Iterator[list[str]]:
    """The qualified names of the coroutines that start (or resume) inside the block."""
    ran: list[str] = []

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_flags & inspect.CO_COROUTINE:
            ran.append(frame.f_code.co_qualname)

    sys.setprofile(profile)
    try:
        yield ran
    finally:
        sys.setprofile(None)


class Settings:
    pass


class Session:
    def __init__(self, settings: Settings, repo: Repo) -> None:
        self.settings, self.repo = settings, repo


async def test_a_sync_graph_in_an_async_scope_creates_no_coroutine_of_its_own() -> None:
    container = Container().singleton(Settings).transient(Pool).transient(Repo).scoped(Session)
    async with container.scope() as scope:
        with coroutines_run() as ran:
            first = await scope.aresolve(Session)  # analysed and compiled by this call
            assert await scope.aresolve(Session) is first
            assert scope.resolve(Session) is first
            assert await container.aresolver(Session)(scope) is first
            assert isinstance(await container.aresolve(Repo), Repo)
        assert ran == [  # only the coroutine each awaited call is, none for the graph
            "Scope.aresolve",
            "Scope.aresolve",
            "Container.aresolver.<locals>.resolve",
            "Container.aresolve",
        ]


async def test_the_coroutine_probe_sees_an_async_graph() -> None:
    container = Container().singleton(Pool, factory=make_pool).transient(Repo)
    with coroutines_run() as ran:
        await container.aresolve(Repo)
    assert ran[0] == "Container.aresolve"
    assert "make_pool" in ran
