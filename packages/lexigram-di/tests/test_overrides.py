from collections.abc import Iterator

import pytest

from lexigram.di import Container, Lifetime


class Mailer:
    def send(self) -> str:
        return "real"


class FakeMailer(Mailer):
    def send(self) -> str:
        return "fake"


class Signup:
    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer


def app() -> Container:
    return Container().singleton(Mailer).transient(Signup)


def test_override_replaces_inside_and_restores_on_exit() -> None:
    container = app()
    real = container.resolve(Mailer)
    fake = FakeMailer()
    with container.override(Mailer, fake):
        assert container.resolve(Signup).mailer is fake
    assert container.resolve(Signup).mailer is real


async def test_override_works_as_an_async_context_manager() -> None:
    container = app()
    async with container.override(Mailer, FakeMailer()):
        assert (await container.aresolve(Signup)).mailer.send() == "fake"
    assert (await container.aresolve(Signup)).mailer.send() == "real"


def test_override_with_an_implementation_keeps_the_original_lifetime() -> None:
    container = app()
    with container.override(Mailer, implementation=FakeMailer):
        first = container.resolve(Mailer)
        assert isinstance(first, FakeMailer)
        assert container.resolve(Mailer) is first


def test_override_with_a_factory_and_explicit_lifetime() -> None:
    container = app()
    with container.override(Mailer, factory=FakeMailer, lifetime=Lifetime.TRANSIENT):
        assert container.resolve(Mailer) is not container.resolve(Mailer)


def test_override_is_restored_when_the_body_raises() -> None:
    container = app()
    with pytest.raises(RuntimeError), container.override(Mailer, FakeMailer()):
        raise RuntimeError
    assert container.resolve(Mailer).send() == "real"


def test_nested_overrides_unwind_in_order() -> None:
    container = app()
    outer, inner = FakeMailer(), FakeMailer()
    with container.override(Mailer, outer):
        with container.override(Mailer, inner):
            assert container.resolve(Mailer) is inner
        assert container.resolve(Mailer) is outer


def test_resolver_built_before_an_override_sees_it() -> None:
    container = app()
    resolve = container.resolver(Signup)
    fake = FakeMailer()
    with container.override(Mailer, fake):
        assert resolve(None).mailer is fake
    assert resolve(None).mailer is not fake


def test_override_replaces_resolve_all() -> None:
    container = app()
    fake = FakeMailer()
    with container.override(Mailer, fake):
        assert container.resolve_all(Mailer) == [fake]


def test_override_generator_factory_is_finalized_with_the_scope() -> None:
    log: list[str] = []

    def mailer() -> Iterator[Mailer]:
        yield FakeMailer()
        log.append("closed")

    container = Container().scoped(Mailer)
    with container.override(Mailer, factory=mailer), container.scope() as scope:
        assert scope.resolve(Mailer).send() == "fake"
    assert log == ["closed"]


def test_child_inherits_registrations_and_keeps_its_own() -> None:
    parent = app()
    child = parent.child()
    child.singleton(Mailer, FakeMailer())
    assert child.resolve(Signup).mailer.send() == "fake"
    assert parent.resolve(Signup).mailer.send() == "real"
    assert not parent.has(FakeMailer)


def test_child_builds_its_own_singletons_and_shares_instances() -> None:
    shared = FakeMailer()
    parent = Container().singleton(Mailer).singleton(FakeMailer, shared)
    child = parent.child()
    assert child.resolve(Mailer) is not parent.resolve(Mailer)
    assert child.resolve(FakeMailer) is shared


def test_child_sees_registrations_added_to_the_parent_later() -> None:
    parent = Container()
    child = parent.child()
    assert not child.has(Mailer)
    parent.singleton(Mailer)
    assert child.has(Mailer)
    assert isinstance(child.resolve(Mailer), Mailer)


def test_child_resolves_itself_as_the_container() -> None:
    parent = Container()
    child = parent.child()
    assert child.resolve(Container) is child


def test_parent_override_reaches_the_child() -> None:
    parent = app()
    child = parent.child()
    fake = FakeMailer()
    child.resolve(Signup)
    with parent.override(Mailer, fake):
        assert child.resolve(Signup).mailer is fake


def test_revision_changes_with_registrations_and_overrides_here_and_in_the_parent() -> None:
    container = app()
    child = container.child()
    seen = [container.revision, child.revision]
    container.resolve(Signup)
    assert [container.revision, child.revision] == seen  # resolving changes nothing
    with container.override(Mailer, FakeMailer()):
        assert container.revision > seen[0]
        assert child.revision > seen[1]
        inside = container.revision
    assert container.revision > inside
    before = child.revision
    child.transient(FakeMailer)
    assert child.revision > before
