import pytest

from lexigram.di import (
    CircularDependencyError,
    Container,
    LifetimeError,
    MissingDependencyError,
    ResolutionError,
)


class A:
    def __init__(self, b: "B") -> None:
        self.b = b


class B:
    def __init__(self, c: "C") -> None:
        self.c = c


class C:
    def __init__(self, a: A) -> None:
        self.a = a


class Session:
    pass


class Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


class Cache:
    def __init__(self, repo: Repo) -> None:
        self.repo = repo


class Missing:
    pass


class NeedsMissing:
    def __init__(self, missing: Missing) -> None:
        self.missing = missing


def test_cycle_message_draws_the_path() -> None:
    container = Container().transient(A).transient(B).transient(C)
    with pytest.raises(CircularDependencyError) as info:
        container.validate()
    assert str(info.value) == (
        "circular dependency: A -> B -> C -> A; break the loop by making one of these depend "
        "on a factory or on a smaller service that does not depend back"
    )
    assert info.value.path == ("A", "B", "C", "A")


def test_cycle_is_reported_on_resolve_starting_from_the_requested_service() -> None:
    container = Container().transient(A).transient(B).transient(C)
    with pytest.raises(CircularDependencyError, match="B -> C -> A -> B"):
        container.resolve(B)


def test_self_dependency_is_a_cycle() -> None:
    class Loop:
        def __init__(self, me: "Loop") -> None:
            self.me = me

    with pytest.raises(CircularDependencyError, match="Loop -> Loop"):
        Container().transient(Loop).validate()


def test_cycle_through_singletons_is_still_a_cycle() -> None:
    container = Container().singleton(A).singleton(B).singleton(C)
    with pytest.raises(CircularDependencyError, match="A -> B -> C -> A"):
        container.validate()


def test_missing_dependency_names_the_parameter_the_path_and_the_fix() -> None:
    container = Container().transient(NeedsMissing)
    with pytest.raises(MissingDependencyError) as info:
        container.validate()
    message = str(info.value)
    assert "parameter 'missing' of NeedsMissing.__init__" in message
    assert "resolving NeedsMissing" in message
    assert "container.transient(Missing)" in message


def test_missing_dependency_deep_in_the_graph_shows_the_chain() -> None:
    class Outer:
        def __init__(self, inner: NeedsMissing) -> None:
            self.inner = inner

    container = Container().transient(NeedsMissing).transient(Outer)
    with pytest.raises(MissingDependencyError, match="resolving Outer -> NeedsMissing"):
        container.resolve(Outer)


def test_singleton_depending_on_scoped_is_a_lifetime_error_naming_the_fix() -> None:
    container = Container().scoped(Session).transient(Repo).singleton(Cache)
    with pytest.raises(LifetimeError) as info:
        container.validate()
    message = str(info.value)
    assert "singleton Cache depends on scoped Session (Cache -> Repo -> Session)" in message
    assert "container.scoped" in message


def test_singleton_depending_on_a_context_value_is_a_lifetime_error() -> None:
    container = Container().from_context(Session).singleton(Repo)
    with pytest.raises(LifetimeError, match="singleton Repo depends on scoped Session"):
        container.validate()


def test_scoped_depending_on_scoped_is_fine() -> None:
    container = Container().scoped(Session).scoped(Repo).transient(Cache)
    container.validate()
    with container.scope() as scope:
        assert scope.resolve(Cache).repo is scope.resolve(Repo)


def test_validate_reports_other_problems_as_notes() -> None:
    container = Container().transient(NeedsMissing).transient(A).transient(B).transient(C)
    with pytest.raises(ResolutionError) as info:
        container.validate()
    assert any("CircularDependencyError" in note for note in info.value.__notes__)


def test_validate_checks_shadowed_registrations_used_by_resolve_all() -> None:
    container = Container().transient(Repo).singleton(Repo, instance=Repo(Session()))
    with pytest.raises(MissingDependencyError, match="Session"):
        container.validate()


def test_valid_graph_passes_validation() -> None:
    Container().scoped(Session).scoped(Repo).validate()
