"""The container: registrations, compiled resolvers, singletons, scopes, overrides."""

from __future__ import annotations

import asyncio
import inspect
import types
import weakref
from collections.abc import Awaitable, Callable, Generator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

import punq

from ._compile import AsyncGetter, Compiler, Getter
from ._errors import ResolutionError, raised_deeper
from ._finalize import close_async, close_sync, report
from ._graph import Graph, Node
from ._invoke import CallPlans
from ._lifetime import Lifetime
from ._override import Override
from ._registration import (
    AllKey,
    Kind,
    NamedKey,
    Registration,
    context_registration,
    make_key,
    make_registration,
)
from ._scope import Scope

if TYPE_CHECKING:
    from typing_extensions import TypeForm

T = TypeVar("T")
_MODULE_CODE = compile("def resolve(scope):\n    return _install(scope)\n", "<resolver>", "exec")
_TRAMPOLINE = next(c for c in _MODULE_CODE.co_consts if isinstance(c, types.CodeType))
R = TypeVar("R")


class Container:
    """Registers services and resolves them.

    Registration follows punq's model (``register(service, implementation)``, later
    registrations win, ``resolve_all`` returns every one); each service is analysed and
    compiled into a resolver function once, on first use or ``validate``.

    ``revision`` increases whenever a registration or an override changes what this container
    resolves (its own or a parent's): a consumer that planned at startup from
    ``needs_scope`` / ``is_async`` plans again when it differs from the one it saw.
    """

    revision: int

    def __init__(self, *, parent: Container | None = None) -> None:
        self._parent = parent
        self._registry: punq.RegistrationScope = punq.RegistrationScope(
            parent._registry if parent is not None else None
        )
        self._overrides: dict[Any, list[Registration]] = {}
        self._children: weakref.WeakSet[Container] = weakref.WeakSet()
        self._cells: dict[Registration, list[Any]] = {}
        self._locks: dict[Registration, asyncio.Lock] = {}
        self._finalizers: list[tuple[str, Any]] = []
        self._sync: dict[Any, Getter] = {}
        self._async: dict[Any, AsyncGetter] = {}
        self._plain: dict[Any, Getter] = {}
        """The sync getters of keys whose graph has no async factory (``aresolve``'s fast path)."""
        self._localns: dict[str, Any] | None = None
        self._owner: Any = None
        self._graph = Graph(self._lookup, self._lookup_all, self._names, Scope)
        self._compiler = Compiler(self._cells, self._locks, self._finalizers)
        self._calls = CallPlans(self)
        self._resolvers: dict[Any, tuple[Getter, dict[str, Any], Getter]] = {}
        self.revision = 0
        self._add(Registration(Container, Lifetime.SINGLETON, Kind.INSTANCE, instance=self))

    # -- registration --------------------------------------------------------------------
    def register(
        self,
        service: Any,
        implementation: Any = None,
        *,
        factory: Callable[..., Any] | None = None,
        instance: Any = None,
        lifetime: Lifetime | None = None,
        name: str | None = None,
    ) -> Self:
        """Register ``service``.

        ``implementation`` is a class (or a factory function); ``factory=`` a callable whose
        parameters are injected (a generator or async generator factory is finalized with
        its lifetime's owner); ``instance=`` an existing object (singleton only). With none
        of them, ``service`` must be a concrete class and builds itself. ``lifetime``
        defaults to the class's marker (``@singleton`` ...), else transient; ``name`` keeps
        the registration apart from the unnamed one.
        """
        self._add(make_registration(service, implementation, factory, instance, lifetime,
                                    name, self._owner))  # fmt: skip
        return self

    def singleton(
        self, service: Any, implementation: Any = None, *,
        factory: Callable[..., Any] | None = None, instance: Any = None, name: str | None = None,
    ) -> Self:  # fmt: skip
        """Register a singleton: one instance per container, finalized on close."""
        return self.register(service, implementation, factory=factory, instance=instance,
                             lifetime=Lifetime.SINGLETON, name=name)  # fmt: skip

    def scoped(
        self, service: Any, implementation: Any = None, *,
        factory: Callable[..., Any] | None = None, instance: Any = None, name: str | None = None,
    ) -> Self:  # fmt: skip
        """Register a scoped service: one instance per scope, finalized when it closes."""
        return self.register(service, implementation, factory=factory, instance=instance,
                             lifetime=Lifetime.SCOPED, name=name)  # fmt: skip

    def transient(
        self, service: Any, implementation: Any = None, *,
        factory: Callable[..., Any] | None = None, instance: Any = None, name: str | None = None,
    ) -> Self:  # fmt: skip
        """Register a transient service: a new instance for every resolution."""
        return self.register(service, implementation, factory=factory, instance=instance,
                             lifetime=Lifetime.TRANSIENT, name=name)  # fmt: skip

    def from_context(self, service: Any, name: str | None = None) -> Self:
        """Declare a scoped value each scope supplies: ``container.scope(context={T: v})``."""
        self._add(context_registration(service, name, self._owner))
        return self

    def has(self, service: Any, name: str | None = None) -> bool:
        """Whether ``service`` (with ``name``) is registered here or in a parent."""
        return self._lookup(make_key(service, name)) is not None

    def _add(self, reg: Registration) -> None:
        self._registry.append(reg.key, reg)
        self._invalidate()

    @contextmanager
    def owned_by(self, owner: Any) -> Generator[None, None, None]:
        """Record ``owner`` (a module or provider) on the registrations made inside."""
        previous, self._owner = self._owner, owner
        try:
            yield
        finally:
            self._owner = previous

    def registrations(self) -> list[Registration]:
        """Every registration visible here (parents first, in registration order)."""
        levels: list[punq.RegistrationScope] = []
        level: punq.RegistrationScope | None = self._registry
        while level is not None:
            levels.append(level)
            level = level.parent
        return [reg for lvl in reversed(levels) for regs in lvl.entries.values() for reg in regs]

    # -- lookups used by the graph ---------------------------------------------------------
    def _lookup(self, key: Any) -> Registration | None:
        container: Container | None = self
        while container is not None:
            overridden = container._overrides.get(key)
            if overridden:
                return overridden[-1]
            regs: list[Registration] | None = container._registry.entries.get(key)
            if regs:
                return regs[-1]
            container = container._parent
        return None

    def _lookup_all(self, service: Any) -> list[Registration]:
        container: Container | None = self
        while container is not None:
            overridden = container._overrides.get(service)
            if overridden:
                return [overridden[-1]]
            container = container._parent
        return list(self._registry.get(service))

    def _names(self) -> Mapping[str, Any]:
        if self._localns is None:
            names: dict[str, Any] = {}
            for reg in self.registrations():
                for value in (reg.key.service if isinstance(reg.key, NamedKey) else reg.key,
                              reg.target):  # fmt: skip
                    if isinstance(value, type):
                        names.setdefault(value.__name__, value)
            self._localns = names
        return self._localns

    def _invalidate(self) -> None:
        self.revision += 1
        self._sync.clear()
        self._async.clear()
        self._plain.clear()
        self._graph.clear()
        self._localns = None
        self._compiler = Compiler(self._cells, self._locks, self._finalizers)
        self._calls.clear()
        for function, namespace, install in self._resolvers.values():
            function.__code__ = _TRAMPOLINE
            namespace.clear()
            namespace["_install"] = install
        for child in list(self._children):
            child._invalidate()

    # -- analysis --------------------------------------------------------------------------
    def _node(self, service: Any, name: str | None = None) -> Node:
        return self._graph.node(make_key(service, name))

    def _getter(self, service: Any, name: str | None) -> Getter:
        key = service if name is None else NamedKey(service, name)
        getter = self._sync.get(key)
        if getter is None:
            getter = self._sync[key] = self._compiler.sync(self._graph.node(key))
        return getter

    def _agetter(self, service: Any, name: str | None) -> AsyncGetter | None:
        """The async getter of ``service``, or ``None`` when nothing in its graph is async.

        For such a graph the sync getter goes into ``_plain``, where the async paths
        (``aresolve``, ``aresolver``, ``acall``) look first: they call it directly, so the
        graph creates no coroutine, from the first call on.
        """
        key = service if name is None else NamedKey(service, name)
        getter = self._async.get(key)
        if getter is None:
            node = self._graph.node(key)
            if not node.is_async:
                self._plain[key] = self._getter(service, name)
                return None
            getter = self._async[key] = self._compiler.async_(node)
        return getter

    def needs_scope(self, service: Any, name: str | None = None) -> bool:
        """Whether resolving ``service`` needs a scope (it or a dependency is scoped)."""
        return self._node(service, name).needs_scope

    def is_async(self, service: Any, name: str | None = None) -> bool:
        """Whether resolving ``service`` needs ``await`` (an async factory in its graph)."""
        return self._node(service, name).is_async

    def validate(self) -> None:
        """Analyse every registration now; raise the first problem (others as notes)."""
        errors: list[ResolutionError] = []
        keys: dict[Any, int] = {}
        for reg in self.registrations():
            keys[reg.key] = keys.get(reg.key, 0) + 1
        for key, count in keys.items():
            targets = [key, AllKey(key)] if count > 1 and not isinstance(key, NamedKey) else [key]
            for target in targets:
                try:
                    self._graph.node(target)
                except ResolutionError as exc:
                    errors.append(exc)
        if errors:
            first = errors[0]
            for other in errors[1:]:
                first.add_note(f"also: {type(other).__name__}: {other}")
            raise first

    # -- resolution ------------------------------------------------------------------------
    @overload
    def resolve(self, service: str, name: str | None = None) -> Any: ...
    @overload
    def resolve(self, service: TypeForm[T], name: str | None = None) -> T: ...
    @overload
    def resolve(self, service: Any, name: str | None = None) -> Any: ...
    def resolve(self, service: Any, name: str | None = None) -> Any:
        """Resolve ``service`` outside any scope (sync graphs; scoped services need a scope)."""
        try:
            if name is None:
                return self._sync[service](None)
            return self._sync[NamedKey(service, name)](None)
        except KeyError as exc:
            if raised_deeper(exc):  # by a constructor or factory, not by the lookup
                raise
        return self._getter(service, name)(None)

    @overload
    async def aresolve(self, service: str, name: str | None = None) -> Any: ...
    @overload
    async def aresolve(self, service: TypeForm[T], name: str | None = None) -> T: ...
    @overload
    async def aresolve(self, service: Any, name: str | None = None) -> Any: ...
    async def aresolve(self, service: Any, name: str | None = None) -> Any:
        """Resolve ``service`` outside any scope, awaiting async factories.

        On a graph with nothing async it calls the sync resolver: the only coroutine is
        this call's own.
        """
        getter = self._plain.get(service if name is None else NamedKey(service, name))
        if getter is None:
            agetter = self._agetter(service, name)
            if agetter is not None:
                return await agetter(None)
            getter = self._getter(service, name)
        return getter(None)

    @overload
    def resolve_all(self, service: str) -> list[Any]: ...
    @overload
    def resolve_all(self, service: TypeForm[T]) -> list[T]: ...
    @overload
    def resolve_all(self, service: Any) -> list[Any]: ...
    def resolve_all(self, service: Any) -> list[Any]:
        """Every registration of ``service``, in registration order (parents first)."""
        result: list[Any] = self._getter(AllKey(service), None)(None)
        return result

    async def aresolve_all(self, service: Any) -> list[Any]:
        """``resolve_all``, awaiting async factories."""
        agetter = self._agetter(AllKey(service), None)
        if agetter is None:
            return self.resolve_all(service)
        result: list[Any] = await agetter(None)
        return result

    def resolver(self, service: Any, name: str | None = None) -> Getter:
        """A precompiled ``resolve(scope_or_None)`` for ``service``, to call per request.

        Analyses ``service`` now (raising on a missing dependency, a cycle ...). It follows
        later overrides and registrations. For a service that ``is_async``, use
        ``aresolver``.
        """
        node = self._node(service, name)
        if node.is_async:
            raise ResolutionError(
                f"{node.label} needs an async factory; use container.aresolver({node.label}) "
                f"and await what it returns"
            )
        found = self._resolvers.get(node.key)
        if found is None:
            found = self._resolvers[node.key] = self._stable_resolver(node.key)
        return found[0]

    def _stable_resolver(self, key: Any) -> tuple[Getter, dict[str, Any], Getter]:
        """A function object that adopts the code of the key's current compiled getter.

        Getters are generated functions without closures, so the stable function takes
        their code and globals: calling it costs one frame. When registrations change it
        falls back to a trampoline that recompiles on the next call.
        """
        namespace: dict[str, Any] = {}
        function: Any = types.FunctionType(_TRAMPOLINE, namespace, "resolve")

        def install(scope: Scope | None) -> Any:
            getter: Any = self._sync.get(key)
            if getter is None:
                getter = self._sync[key] = self._compiler.sync(self._graph.node(key))
            function.__code__ = getter.__code__
            namespace.clear()
            namespace.update(getter.__globals__)
            return getter(scope)

        namespace["_install"] = install
        return function, namespace, install

    def aresolver(self, service: Any, name: str | None = None) -> AsyncGetter:
        """The async form of ``resolver``: ``await resolve(scope_or_None)``."""
        key, plain = self._node(service, name).key, self._plain
        agetter_of, getter_of = self._agetter, self._getter

        async def resolve(scope: Scope | None) -> Any:
            getter = plain.get(key)
            if getter is None:
                agetter = agetter_of(service, name)
                if agetter is not None:
                    return await agetter(scope)
                getter = getter_of(service, name)
            return getter(scope)  # a sync graph: no coroutine besides this one

        return resolve

    def call(self, fn: Callable[..., R], /, **overrides: Any) -> R:
        """Call ``fn`` with its parameters injected by type hint (``overrides`` win by name)."""
        return self._call(fn, None, overrides)

    @overload
    async def acall(self, fn: Callable[..., Awaitable[R]], /, **overrides: Any) -> R: ...
    @overload
    async def acall(self, fn: Callable[..., R], /, **overrides: Any) -> R: ...
    async def acall(self, fn: Callable[..., Any], /, **overrides: Any) -> Any:
        """Like ``call``, resolving async dependencies and awaiting the result."""
        return await self._acall(fn, None, overrides)

    def _call(self, fn: Callable[..., R], scope: Scope | None, overrides: dict[str, Any]) -> R:
        result: R = self._calls.call(fn, scope, overrides)
        return result

    async def _acall(
        self, fn: Callable[..., Any], scope: Scope | None, overrides: dict[str, Any]
    ) -> Any:
        result: Any = await self._calls.acall(fn, scope, overrides)
        if inspect.isawaitable(result):
            result = await result
        return result

    # -- scopes, overrides, children -------------------------------------------------------
    def scope(self, context: Mapping[Any, Any] | None = None) -> Scope:
        """A new scope; ``context`` supplies the values declared with ``from_context``."""
        return Scope(self, context)

    def override(
        self,
        service: Any,
        replacement: Any = None,
        *,
        implementation: Any = None,
        factory: Callable[..., Any] | None = None,
        lifetime: Lifetime | None = None,
        name: str | None = None,
    ) -> Override:
        """Replace ``service`` inside ``with``/``async with``; restored on exit.

        ``replacement`` is used as the instance; pass ``implementation=`` or ``factory=`` to
        build one instead (with ``lifetime``, else the overridden registration's).
        """
        key = make_key(service, name)
        if replacement is not None:
            reg = make_registration(service, None, None, replacement, None, name)
        else:
            current = self._lookup(key)
            chosen = lifetime or (current.lifetime if current else None)
            reg = make_registration(service, implementation, factory, None, chosen, name)
        return Override(self, reg)

    def _push_override(self, reg: Registration) -> None:
        self._overrides.setdefault(reg.key, []).append(reg)
        self._invalidate()

    def _pop_override(self, reg: Registration) -> None:
        stack = self._overrides.get(reg.key, [])
        if reg in stack:
            stack.remove(reg)
        if not stack:
            self._overrides.pop(reg.key, None)
        self._cells.pop(reg, None)
        self._invalidate()

    def child(self) -> Container:
        """A container that inherits these registrations.

        Its own registrations (and its singletons) stay in it. Instances registered here are
        shared; singletons are built anew."""
        child = Container(parent=self)
        self._children.add(child)
        return child

    # -- closing ---------------------------------------------------------------------------
    def close(self) -> None:
        """Finalize singletons (generator factories), newest first, and forget them."""
        self._forget()
        report(close_sync(self._finalizers), "container", None)

    async def aclose(self) -> None:
        """Finalize singletons, sync and async, newest first, and forget them."""
        self._forget()
        report(await close_async(self._finalizers), "container", None)

    def _forget(self) -> None:
        for cell in self._cells.values():
            cell.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._forget()
        report(close_sync(self._finalizers), "container", exc)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self._forget()
        report(await close_async(self._finalizers), "container", exc)

    def __repr__(self) -> str:
        count = len(self.registrations())
        return f"<Container with {count} registrations{' (child)' if self._parent else ''}>"
