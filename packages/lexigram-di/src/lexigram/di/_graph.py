"""Dependency-graph analysis: missing dependencies, cycles and lifetime mismatches.

Each service key is analysed once into a ``Node`` (memoised until the registrations
change); the code generator turns nodes into resolvers.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import CircularDependencyError, LifetimeError, MissingDependencyError, ResolutionError
from ._introspect import Param, parameters_of
from ._lifetime import Lifetime
from ._registration import AllKey, Kind, NamedKey, Registration, describe

INJECT, SKIP, NONE = "inject", "skip", "none"
"""How a parameter is filled: injected, left to its default, or given ``None``."""


class _Missing(MissingDependencyError):
    """A key with no registration, before the parameter that asked for it is known."""


class CurrentScope:
    """The key under which a resolver receives the scope it runs in (``Scope`` parameters)."""


@dataclass(eq=False, repr=False, slots=True)
class Node:
    key: Any
    reg: Registration | None
    """``None`` for ``list[T]`` nodes and for the current scope."""
    args: list[tuple[Param, str, Node | None]] = field(
        default_factory=list[tuple[Param, str, "Node | None"]]
    )
    items: list[Node] = field(default_factory=list["Node"])
    is_async: bool = False
    needs_scope: bool = False
    scoped_path: tuple[Any, ...] | None = None
    """For a node that needs a scope: the chain of keys down to the scoped service."""
    size: int = 1

    @property
    def lifetime(self) -> Lifetime:
        if self.reg is None:
            return Lifetime.SCOPED if self.key is CurrentScope else Lifetime.TRANSIENT
        return self.reg.lifetime

    @property
    def label(self) -> str:
        return describe(self.key)


def _path(keys: list[Any] | tuple[Any, ...]) -> str:
    return " -> ".join(describe(k) for k in keys)


def _register_hint(key: Any) -> str:
    label = describe(key)
    service = key.service if isinstance(key, NamedKey) else key
    name = f", name={key.name!r}" if isinstance(key, NamedKey) else ""
    if isinstance(service, type) and (
        inspect.isabstract(service) or getattr(service, "_is_protocol", False)
    ):
        return (
            f"{label} is abstract and has no registered implementation; bind one with "
            f"container.singleton({describe(service)}, Implementation{name}) "
            f"(or .scoped / .transient)"
        )
    return (
        f"{label} is not registered; register it with container.transient({describe(service)}"
        f"{name}), container.scoped(...) or container.singleton(...)"
    )


class Graph:
    """Analyses service keys against the registrations ``lookup`` and ``lookup_all`` return."""

    def __init__(
        self,
        lookup: Callable[[Any], Registration | None],
        lookup_all: Callable[[Any], list[Registration]],
        localns: Callable[[], Mapping[str, Any]],
        scope_type: type,
    ) -> None:
        self._lookup = lookup
        self._lookup_all = lookup_all
        self._localns = localns
        self._scope_type = scope_type
        self._nodes: dict[Any, Node] = {}
        self._stack: list[Any] = []
        self._lock = threading.RLock()

    def clear(self) -> None:
        self._nodes.clear()

    def node(self, key: Any) -> Node:
        """The analysed node of ``key``; raises a ``ResolutionError`` naming the fix."""
        found = self._nodes.get(key)
        if found is not None:
            return found
        with self._lock:
            return self._analyse(key)

    def _analyse(self, key: Any) -> Node:
        found = self._nodes.get(key)
        if found is not None:
            return found
        if key in self._stack:
            loop = [*self._stack[self._stack.index(key) :], key]
            raise CircularDependencyError(
                f"circular dependency: {_path(loop)}; break the loop by making one of these "
                f"depend on a factory or on a smaller service that does not depend back",
                tuple(describe(k) for k in loop),
            )
        self._stack.append(key)
        try:
            node = self._build(key)
        except _Missing as exc:
            if len(self._stack) > 1:
                raise
            raise MissingDependencyError(str(exc)) from None
        finally:
            self._stack.pop()
        self._nodes[key] = node
        return node

    def _build(self, key: Any) -> Node:
        if isinstance(key, AllKey):
            items = [self._registration_node(r) for r in self._lookup_all(key.service)]
            return self._combine(Node(key, None, items=items))
        reg = self._lookup(key)
        if reg is None:
            if key is self._scope_type or key is CurrentScope:
                return Node(CurrentScope, None, needs_scope=True, scoped_path=(key,))
            raise _Missing(_register_hint(key))
        return self._registration_node(reg)

    def _registration_node(self, reg: Registration) -> Node:
        if reg.kind is Kind.INSTANCE:
            return Node(reg.key, reg)
        if reg.kind is Kind.CONTEXT:
            return Node(reg.key, reg, needs_scope=True, scoped_path=(reg.key,))
        node = Node(reg.key, reg, is_async=reg.is_async)
        for param in parameters_of(reg.target, self._localns()):
            node.args.append(self._argument(reg, param))
        return self._combine(node)

    def _argument(self, reg: Registration, param: Param) -> tuple[Param, str, Node | None]:
        if param.key is None:
            if param.has_default:
                return param, SKIP, None
            raise ResolutionError(
                f"parameter {param.name!r} of {_owner(reg)} has no type hint, so nothing can be "
                f"injected into it; annotate it with the service type, or give it a default"
            )
        known = isinstance(param.key, AllKey) or param.key is self._scope_type
        if not known:
            try:
                known = self._lookup(param.key) is not None
            except TypeError:  # an unhashable hint can never be a service key
                if param.has_default:
                    return param, SKIP, None
                raise ResolutionError(
                    f"the type hint {param.key!r} of parameter {param.name!r} of {_owner(reg)} "
                    f"cannot be a service key; annotate it with a class, or give it a default"
                ) from None
        if not known:
            if param.has_default:
                return param, SKIP, None
            if param.optional:
                return param, NONE, None
        try:
            return param, INJECT, self.node(param.key)
        except _Missing as exc:
            raise MissingDependencyError(
                f"cannot resolve {describe(param.key)} for parameter {param.name!r} of "
                f"{_owner(reg)} (resolving {_path(self._stack)}): {exc}"
            ) from None

    def _combine(self, node: Node) -> Node:
        deps = [dep for _, _, dep in node.args if dep is not None] + node.items
        node.is_async = node.is_async or any(d.is_async for d in deps)
        if node.lifetime is Lifetime.SINGLETON:
            for dep in deps:
                if dep.scoped_path is not None:
                    self._lifetime_error(node, dep)
            return node
        for dep in deps:
            if dep.scoped_path is not None and node.scoped_path is None:
                node.scoped_path = (node.key, *dep.scoped_path)
        if node.lifetime is Lifetime.SCOPED:
            node.scoped_path = (node.key,)
        node.needs_scope = (
            node.scoped_path is not None
            or (node.reg is not None and node.reg.is_generator)
            or any(d.needs_scope and d.lifetime is not Lifetime.SINGLETON for d in deps)
        )
        node.size = 1 + sum(d.size for d in deps if d.lifetime is Lifetime.TRANSIENT)
        return node

    def _lifetime_error(self, node: Node, dep: Node) -> None:
        assert dep.scoped_path is not None
        chain = (node.key, *dep.scoped_path)
        scoped = chain[-1]
        raise LifetimeError(
            f"singleton {node.label} depends on scoped {describe(scoped)} ({_path(chain)}): a "
            f"singleton outlives every scope, so it would keep one scope's instance forever; "
            f"register {node.label} with container.scoped(...) instead, or make "
            f"{describe(scoped)} a singleton"
        )


def _owner(reg: Registration) -> str:
    target = reg.target
    if isinstance(target, type):
        return f"{target.__name__}.__init__"
    return getattr(target, "__qualname__", None) or repr(target)
