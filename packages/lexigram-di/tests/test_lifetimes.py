import pytest

from lexigram.di import Container, ResolutionError


class Leaf:
    pass


class Middle:
    def __init__(self, leaf: Leaf) -> None:
        self.leaf = leaf


class Top:
    def __init__(self, middle: Middle, leaf: Leaf) -> None:
        self.middle = middle
        self.leaf = leaf


class Request:
    def __init__(self, path: str) -> None:
        self.path = path


class Handler:
    def __init__(self, request: Request) -> None:
        self.request = request


def test_transient_builds_a_new_instance_each_time() -> None:
    container = Container().transient(Leaf)
    assert container.resolve(Leaf) is not container.resolve(Leaf)


def test_transient_dependencies_are_new_per_injection() -> None:
    container = Container().transient(Leaf).transient(Middle).transient(Top)
    top = container.resolve(Top)
    assert top.leaf is not top.middle.leaf


def test_singleton_is_one_instance_per_container() -> None:
    container = Container().singleton(Leaf).transient(Middle)
    assert container.resolve(Middle).leaf is container.resolve(Leaf)


def test_singleton_factory_runs_once() -> None:
    calls: list[int] = []

    def make() -> Leaf:
        calls.append(1)
        return Leaf()

    container = Container().singleton(Leaf, factory=make).transient(Middle)
    container.resolve(Middle)
    container.resolve(Middle)
    assert calls == [1]


def test_scoped_is_one_instance_per_scope() -> None:
    container = Container().scoped(Leaf).transient(Middle)
    with container.scope() as scope:
        first = scope.resolve(Leaf)
        assert scope.resolve(Middle).leaf is first
    with container.scope() as other:
        assert other.resolve(Leaf) is not first


async def test_scoped_works_in_an_async_scope() -> None:
    container = Container().scoped(Leaf)
    async with container.scope() as scope:
        assert await scope.aresolve(Leaf) is scope.resolve(Leaf)


def test_nested_scope_has_its_own_scoped_instances() -> None:
    container = Container().scoped(Leaf)
    with container.scope() as outer, outer.scope() as inner:
        assert inner.resolve(Leaf) is not outer.resolve(Leaf)
        assert inner.resolve(Leaf) is inner.resolve(Leaf)


def test_singleton_is_shared_across_scopes() -> None:
    container = Container().singleton(Leaf)
    with container.scope() as one, container.scope() as two:
        assert one.resolve(Leaf) is two.resolve(Leaf) is container.resolve(Leaf)


def test_scoped_outside_a_scope_names_the_fix() -> None:
    container = Container().scoped(Leaf)
    with pytest.raises(ResolutionError, match=r"with container.scope\(\) as scope"):
        container.resolve(Leaf)


def test_closed_scope_refuses_to_resolve() -> None:
    container = Container().scoped(Leaf)
    with container.scope() as scope:
        pass
    assert scope.closed
    with pytest.raises(ResolutionError, match="scope is closed"):
        scope.resolve(Leaf)


def test_context_values_are_supplied_per_scope() -> None:
    container = Container().from_context(Request).scoped(Handler)
    with container.scope(context={Request: Request("/a")}) as scope:
        assert scope.resolve(Handler).request.path == "/a"


def test_nested_scope_inherits_context_values() -> None:
    container = Container().from_context(Request)
    with container.scope(context={Request: Request("/a")}) as outer, outer.scope() as inner:
        assert inner.resolve(Request).path == "/a"


def test_missing_context_value_names_the_fix() -> None:
    container = Container().from_context(Request)
    with container.scope() as scope, pytest.raises(ResolutionError, match="context=") as info:
        scope.resolve(Request)
    assert "Request was not supplied" in str(info.value)


def test_scope_call_injects_scoped_services() -> None:
    container = Container().scoped(Leaf)

    def handler(leaf: Leaf) -> Leaf:
        return leaf

    with container.scope() as scope:
        assert scope.call(handler) is scope.resolve(Leaf)


def test_bare_scope_is_closed_explicitly() -> None:
    container = Container().scoped(Leaf)
    scope = container.scope()
    scope.resolve(Leaf)
    scope.close()
    assert scope.closed
