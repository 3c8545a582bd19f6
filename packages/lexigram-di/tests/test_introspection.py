import asyncio
from collections.abc import Iterator

import pytest

from lexigram.di import Container, ResolutionError


class Settings:
    pass


class Session:
    pass


class Repo:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings


class Clock:
    pass


class Pool:
    pass


async def make_pool() -> Pool:
    await asyncio.sleep(0)
    return Pool()


class UsesPool:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool


def container() -> Container:
    c = Container().singleton(Settings).scoped(Session).transient(Repo).transient(Clock)
    return c.singleton(Pool, factory=make_pool).transient(UsesPool)


def test_needs_scope_follows_scoped_dependencies() -> None:
    c = container()
    assert c.needs_scope(Repo)
    assert c.needs_scope(Session)
    assert not c.needs_scope(Clock)
    assert not c.needs_scope(Settings)


def test_transient_generator_needs_a_scope() -> None:
    def clock() -> Iterator[Clock]:
        yield Clock()

    assert Container().transient(Clock, factory=clock).needs_scope(Clock)


def test_is_async_follows_async_factories() -> None:
    c = container()
    assert c.is_async(UsesPool)
    assert c.is_async(Pool)
    assert not c.is_async(Repo)


def test_resolver_is_called_per_request_with_a_scope() -> None:
    c = container()
    resolve = c.resolver(Repo)
    with c.scope() as scope:
        assert resolve(scope) is not resolve(scope)
        assert resolve(scope).session is resolve(scope).session


def test_resolver_without_scope_for_unscoped_services() -> None:
    resolve = container().resolver(Clock)
    assert isinstance(resolve(None), Clock)


def test_resolver_of_an_async_service_names_aresolver() -> None:
    with pytest.raises(ResolutionError, match="aresolver"):
        container().resolver(UsesPool)


async def test_aresolver_awaits_async_graphs() -> None:
    c = container()
    resolve = c.aresolver(UsesPool)
    first = await resolve(None)
    assert first.pool is (await resolve(None)).pool


def test_resolver_fails_at_build_time_for_a_broken_graph() -> None:
    class Broken:
        def __init__(self, missing: Pool) -> None:
            self.missing = missing

    with pytest.raises(ResolutionError, match="Pool"):
        Container().transient(Broken).resolver(Broken)


def test_resolver_sees_registrations_made_after_it_was_built() -> None:
    c = Container().transient(Clock)
    resolve = c.resolver(Clock)
    replacement = Clock()
    c.singleton(Clock, replacement)
    assert resolve(None) is replacement


def test_resolver_of_a_scoped_service_without_a_scope_names_the_fix() -> None:
    resolve = container().resolver(Session)
    for _ in range(2):
        with pytest.raises(ResolutionError, match="needs a scope"):
            resolve(None)


def test_resolver_follows_an_override_of_a_dependency_after_first_use() -> None:
    c = container()
    resolve = c.resolver(Repo)
    fake = Settings()
    with c.scope() as scope:
        assert resolve(scope).settings is not fake
        with c.override(Settings, fake):
            assert resolve(scope).settings is fake
        assert resolve(scope).settings is not fake
