from collections.abc import AsyncIterator, Iterator

import pytest

from lexigram.di import Container, FinalizerError, ResolutionError


class Conn:
    pass


class Session:
    pass


class Cache:
    pass


def tracking(log: list[str]) -> Container:
    def conn() -> Iterator[Conn]:
        log.append("open conn")
        yield Conn()
        log.append("close conn")

    def session(conn: Conn) -> Iterator[Session]:
        log.append("open session")
        yield Session()
        log.append("close session")

    return Container().scoped(Conn, factory=conn).scoped(Session, factory=session)


def test_scope_finalizes_generators_in_reverse_order() -> None:
    log: list[str] = []
    container = tracking(log)
    with container.scope() as scope:
        scope.resolve(Session)
    assert log == ["open conn", "open session", "close session", "close conn"]


async def test_async_scope_finalizes_sync_and_async_generators_in_reverse_order() -> None:
    log: list[str] = []

    async def cache() -> AsyncIterator[Cache]:
        log.append("open cache")
        yield Cache()
        log.append("close cache")

    container = tracking(log).scoped(Cache, factory=cache)
    async with container.scope() as scope:
        scope.resolve(Session)
        await scope.aresolve(Cache)
    assert log == [
        "open conn", "open session", "open cache", "close cache", "close session", "close conn"
    ]  # fmt: skip


def test_failing_finalizer_does_not_stop_the_others_and_is_reported() -> None:
    log: list[str] = []

    def broken() -> Iterator[Cache]:
        yield Cache()
        raise ValueError("disk full")

    container = tracking(log).scoped(Cache, factory=broken)

    def use() -> None:
        with container.scope() as scope:
            scope.resolve(Session)
            scope.resolve(Cache)

    with pytest.raises(FinalizerError) as info:
        use()
    assert log[-2:] == ["close session", "close conn"]
    assert [type(e) for e in info.value.errors] == [ValueError]
    assert "disk full" in str(info.value)
    assert "raised by the finalizer of Cache" in info.value.errors[0].__notes__


async def test_failing_async_finalizers_are_all_reported() -> None:
    async def first() -> AsyncIterator[Conn]:
        yield Conn()
        raise ValueError("one")

    async def second() -> AsyncIterator[Cache]:
        yield Cache()
        raise KeyError("two")

    container = Container().scoped(Conn, factory=first).scoped(Cache, factory=second)

    async def use() -> None:
        async with container.scope() as scope:
            await scope.aresolve(Conn)
            await scope.aresolve(Cache)

    with pytest.raises(FinalizerError) as info:
        await use()
    assert [type(e) for e in info.value.errors] == [KeyError, ValueError]


def test_finalizer_error_during_a_failing_body_is_noted_on_the_body_error() -> None:
    def broken() -> Iterator[Cache]:
        yield Cache()
        raise ValueError("disk full")

    container = Container().scoped(Cache, factory=broken)

    def use() -> None:
        with container.scope() as scope:
            scope.resolve(Cache)
            raise RuntimeError("body")

    with pytest.raises(RuntimeError, match="body") as info:
        use()
    assert any("disk full" in note for note in info.value.__notes__)


def test_singleton_generators_are_finalized_when_the_container_closes() -> None:
    log: list[str] = []

    def conn() -> Iterator[Conn]:
        yield Conn()
        log.append("closed")

    container = Container().singleton(Conn, factory=conn)
    first = container.resolve(Conn)
    with container.scope() as scope:
        scope.resolve(Conn)
    assert log == []
    container.close()
    assert log == ["closed"]
    assert container.resolve(Conn) is not first


async def test_container_async_context_finalizes_async_singletons() -> None:
    log: list[str] = []

    async def conn() -> AsyncIterator[Conn]:
        yield Conn()
        log.append("closed")

    async with Container().singleton(Conn, factory=conn) as container:
        await container.aresolve(Conn)
    assert log == ["closed"]


def test_transient_generator_is_finalized_with_its_scope() -> None:
    log: list[str] = []

    def conn() -> Iterator[Conn]:
        yield Conn()
        log.append("closed")

    container = Container().transient(Conn, factory=conn)
    with container.scope() as scope:
        scope.resolve(Conn)
        scope.resolve(Conn)
    assert log == ["closed", "closed"]


async def test_sync_close_reports_async_finalizers_it_cannot_run() -> None:
    async def conn() -> AsyncIterator[Conn]:
        yield Conn()

    container = Container().scoped(Conn, factory=conn)
    scope = container.scope()
    await scope.aresolve(Conn)
    with pytest.raises(FinalizerError, match="async with"):
        scope.close()


def test_generator_that_never_yields_is_an_error() -> None:
    def empty() -> Iterator[Conn]:
        yield from ()

    container = Container().scoped(Conn, factory=empty)
    with container.scope() as scope, pytest.raises(ResolutionError, match="without yielding"):
        scope.resolve(Conn)


def test_generator_that_yields_twice_is_reported() -> None:
    def twice() -> Iterator[Conn]:
        yield Conn()
        yield Conn()

    container = Container().scoped(Conn, factory=twice)
    with pytest.raises(FinalizerError, match="more than once"), container.scope() as scope:
        scope.resolve(Conn)


def test_a_scope_has_finalizers_once_a_generator_factory_is_entered_in_it() -> None:
    log: list[str] = []
    container = tracking(log).scoped(Cache)
    scope = container.scope()
    scope.resolve(Cache)
    seen = [scope.has_finalizers]
    scope.resolve(Conn)
    seen.append(scope.has_finalizers)
    scope.close()
    seen.append(scope.has_finalizers)
    assert seen == [False, True, False]
    assert log == ["open conn", "close conn"]
