import threading
from typing import Any

import pytest

from lexigram.di import Container


def _layered(depth: int) -> tuple[Container, type]:
    """Each layer takes two instances of the layer below: 2**depth constructions."""
    container = Container()
    below: type = type("Layer0", (), {})
    container.transient(below)
    for level in range(1, depth + 1):

        def init(self: Any, left: Any, right: Any) -> None:
            self.left, self.right = left, right

        init.__annotations__ = {"left": below, "right": below, "return": None}
        layer = type(f"Layer{level}", (), {"__init__": init})
        container.transient(layer)
        below = layer
    return container, below


def test_deep_diamond_graph_compiles_without_blowing_up_and_stays_transient() -> None:
    container, top = _layered(10)
    instance: Any = container.resolve(top)
    leaves: list[Any] = []
    stack = [instance]
    while stack:
        node = stack.pop()
        if hasattr(node, "left"):
            stack.extend((node.left, node.right))
        else:
            leaves.append(node)
    assert len(leaves) == 2**10
    assert len({id(leaf) for leaf in leaves}) == 2**10


def test_sync_singleton_is_created_once_across_threads() -> None:
    calls: list[int] = []
    gate = threading.Barrier(8)

    class Slow:
        def __init__(self) -> None:
            calls.append(1)

    container = Container().singleton(Slow)
    results: list[Slow] = []

    def work() -> None:
        gate.wait(timeout=5)
        results.append(container.resolve(Slow))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert calls == [1]
    assert len({id(r) for r in results}) == 1


def test_registration_after_compilation_is_picked_up() -> None:
    class Dep:
        pass

    class Top:
        def __init__(self, dep: Dep | None = None) -> None:
            self.dep = dep

    container = Container().transient(Top)
    assert container.resolve(Top).dep is None
    container.transient(Dep)
    assert isinstance(container.resolve(Top).dep, Dep)


class Lookup:
    """A constructor that raises ``KeyError``, as a dict lookup in user code does."""

    calls = 0

    def __init__(self) -> None:
        Lookup.calls += 1
        raise KeyError("missing-setting")


class UsesLookup:
    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup


def test_a_key_error_from_a_constructor_propagates_and_the_constructor_runs_once() -> None:
    container = Container().transient(Lookup).scoped(UsesLookup)
    for attempt in range(2):  # before and after the resolver is compiled
        Lookup.calls = 0
        with pytest.raises(KeyError, match="missing-setting"):
            container.resolve(Lookup)
        assert Lookup.calls == 1, attempt
    with container.scope() as scope:
        for attempt in range(2):
            Lookup.calls = 0
            with pytest.raises(KeyError, match="missing-setting"):
                scope.resolve(UsesLookup)
            assert Lookup.calls == 1, attempt
