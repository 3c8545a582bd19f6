"""Turn analysed nodes into resolver functions, once per service.

A transient service becomes one generated function whose body is the whole construction
expression (``C(B(A()))`` for a 3-deep graph); a singleton dependency becomes an inline check
of its cell; scoped services go through the scope's cache. Nothing here inspects a signature:
that happened once, in the graph analysis.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

from ._errors import ResolutionError
from ._graph import NONE, SKIP, CurrentScope, Node
from ._lifetime import Lifetime
from ._registration import Kind, Registration

if TYPE_CHECKING:
    from ._scope import Scope

Getter = Callable[["Scope | None"], Any]
AsyncGetter = Callable[["Scope | None"], Awaitable[Any]]
Finalizers = list[tuple[str, Any]]

MISSING: Any = object()
INLINE_LIMIT = 24
"""Transient sub-graphs up to this many constructions are inlined into their dependents."""


class _Source:
    def __init__(self) -> None:
        self.ns: dict[str, Any] = {}

    def const(self, value: Any) -> str:
        name = f"_{len(self.ns)}"
        self.ns[name] = value
        return name


def _no_scope(label: str) -> ResolutionError:
    return ResolutionError(
        f"{label} is scoped, so it needs a scope; resolve it inside one: "
        f"`with container.scope() as scope: scope.resolve({label})` "
        f"(or `async with container.scope()` and `await scope.aresolve({label})`)"
    )


def _async_message(node: Node) -> str:
    chain = [node]
    while chain[-1].reg is None or not chain[-1].reg.is_async:
        last = chain[-1]
        deps = [d for _, _, d in last.args if d is not None] + last.items
        chain.append(next(d for d in deps if d.is_async))
    culprit = chain[-1]
    via = " -> ".join(n.label for n in chain)
    factory = getattr(culprit.reg.target if culprit.reg else None, "__qualname__", "?")
    where = f" (through {via})" if len(chain) > 1 else ""
    message = (
        f"{node.label} needs an async factory{where}: {culprit.label} is built by async "
        f"{factory}(); resolve it with `await container.aresolve({node.label})` "
        f"(or `await scope.aresolve(...)`)"
    )
    if node.lifetime is Lifetime.SINGLETON:
        message += "; once created that way (e.g. in a provider's boot()), resolve() returns it"
    return message


class Compiler:
    """Builds and memoises resolvers for the nodes of one container (one registration state)."""

    def __init__(
        self,
        cells: dict[Registration, list[Any]],
        locks: dict[Registration, asyncio.Lock],
        finalizers: Finalizers,
    ) -> None:
        self._cells = cells
        self._locks = locks
        self._finalizers = finalizers
        self._sync: dict[Node, Getter] = {}
        self._async: dict[Node, AsyncGetter] = {}
        self._makers: dict[Registration, Callable[[], Any]] = {}
        self._amakers: dict[Registration, Callable[[], Awaitable[Any]]] = {}

    # -- public entry points ------------------------------------------------------------
    def sync(self, node: Node) -> Getter:
        getter = self._sync.get(node)
        if getter is None:
            getter = self._sync[node] = self._sync_getter(node)
        return getter

    def async_(self, node: Node) -> AsyncGetter:
        getter = self._async.get(node)
        if getter is None:
            getter = self._async[node] = self._async_getter(node)
        return getter

    # -- getters ---------------------------------------------------------------------------
    def _sync_getter(self, node: Node) -> Getter:
        """A generated function (no closure), so a ``Resolver`` can adopt its code."""
        reg, src = node.reg, _Source()
        if node.key is CurrentScope:
            body = f"return {src.const(_current_scope)}(scope)"
        elif reg is not None and reg.kind is Kind.INSTANCE:
            body = f"return {src.const(reg.instance)}"
        elif reg is not None and reg.kind is Kind.CONTEXT:
            body = f"return {src.const(_context_getter(node))}(scope)"
        elif node.is_async:
            body = f"return {src.const(self._async_only(node))}(scope)"
        elif reg is not None and reg.lifetime is Lifetime.SINGLETON:
            cell, make = src.const(self._cell(reg)), src.const(self._maker(node))
            body = f"return {cell}[0] if {cell} else {make}()"
        elif reg is not None and reg.lifetime is Lifetime.SCOPED:
            error, key = src.const(functools.partial(_no_scope, node.label)), src.const(reg)
            missing, build = src.const(MISSING), src.const(self._function(node, False))
            body = (
                f"if scope is None:\n        raise {error}()\n"
                f"    cache = scope._cache\n"
                f"    value = cache.get({key}, {missing})\n"
                f"    if value is {missing}:\n"
                f"        value = cache[{key}] = {build}(scope)\n"
                f"    return value"
            )
        else:
            expr = (
                self._list(node, False, src) if reg is None else self._construct(node, False, src)
            )
            body = f"return {expr}"
        built: Getter = _define(src, body, node.label, False)
        return built

    def _async_getter(self, node: Node) -> AsyncGetter:
        """Only for a node with something async in its graph; the others' sync getters are
        called directly on the async paths too."""
        reg = node.reg
        assert node.is_async, node.label
        if reg is not None and reg.lifetime is Lifetime.SINGLETON:
            cell, amake = self._cell(reg), self._amaker(node)

            async def singleton(scope: Scope | None) -> Any:
                return cell[0] if cell else await amake()

            return singleton
        if reg is not None and reg.lifetime is Lifetime.SCOPED:
            return self._ascoped(node, self._function(node, True))
        abuilt: AsyncGetter = self._function(node, True)
        return abuilt

    def _async_only(self, node: Node) -> Getter:
        message = _async_message(node)
        reg = node.reg
        cell = self._cell(reg) if reg and reg.lifetime is Lifetime.SINGLETON else None

        def resolve(scope: Scope | None) -> Any:
            if cell:
                return cell[0]
            raise ResolutionError(message)

        return resolve

    def _cell(self, reg: Registration) -> list[Any]:
        cell = self._cells.get(reg)
        if cell is None:
            cell = self._cells[reg] = []
        return cell

    def _maker(self, node: Node) -> Callable[[], Any]:
        assert node.reg is not None
        reg = node.reg
        found = self._makers.get(reg)
        if found is None:
            cell, build, lock = self._cell(reg), self._function(node, False), threading.RLock()

            def make() -> Any:
                with lock:
                    if not cell:
                        cell.append(build(None))
                return cell[0]

            found = self._makers[reg] = make
        return found

    def _amaker(self, node: Node) -> Callable[[], Awaitable[Any]]:
        assert node.reg is not None
        reg = node.reg
        found = self._amakers.get(reg)
        if found is None:
            cell, build, locks = self._cell(reg), self._function(node, True), self._locks

            async def amake() -> Any:
                if cell:
                    return cell[0]
                lock = locks.get(reg)
                if lock is None:
                    lock = locks[reg] = asyncio.Lock()
                async with lock:
                    if not cell:
                        cell.append(await build(None))
                locks.pop(reg, None)
                return cell[0]

            found = self._amakers[reg] = amake
        return found

    def _ascoped(self, node: Node, build: AsyncGetter) -> AsyncGetter:
        reg, label = node.reg, node.label
        assert reg is not None

        async def resolve(scope: Scope | None) -> Any:
            if scope is None:
                raise _no_scope(label)
            cache = scope._cache  # pyright: ignore[reportPrivateUsage]
            value = cache.get(reg, MISSING)
            if value is not MISSING:
                return value
            async with scope._lock_for(reg):  # pyright: ignore[reportPrivateUsage]
                value = cache.get(reg, MISSING)
                if value is MISSING:
                    value = cache[reg] = await build(scope)
            return value

        return resolve

    # -- code generation -------------------------------------------------------------------
    def _function(self, node: Node, is_async: bool) -> Any:
        source = _Source()
        if node.reg is None:
            body = self._list(node, is_async, source)
        else:
            body = self._construct(node, is_async, source)
        return _define(source, f"return {body}", node.label, is_async)

    def _list(self, node: Node, is_async: bool, source: _Source) -> str:
        items = (self._expr(item, is_async and item.is_async, source) for item in node.items)
        return f"[{', '.join(items)}]"

    def _expr(self, node: Node, is_async: bool, source: _Source) -> str:
        reg = node.reg
        if node.key is CurrentScope:
            return f"{source.const(_current_scope)}(scope)"
        if reg is None:
            if node.size <= INLINE_LIMIT:
                return self._list(node, is_async, source)
            return self._call_getter(node, is_async, source)
        if reg.kind is Kind.INSTANCE:
            return source.const(reg.instance)
        if reg.lifetime is Lifetime.SINGLETON:
            cell = source.const(self._cell(reg))
            if is_async:
                return f"({cell}[0] if {cell} else await {source.const(self._amaker(node))}())"
            return f"({cell}[0] if {cell} else {source.const(self._maker(node))}())"
        if reg.lifetime is Lifetime.SCOPED or node.size > INLINE_LIMIT:
            return self._call_getter(node, is_async, source)
        return self._construct(node, is_async, source)

    def _call_getter(self, node: Node, is_async: bool, source: _Source) -> str:
        if is_async:
            return f"(await {source.const(self.async_(node))}(scope))"
        return f"{source.const(self.sync(node))}(scope)"

    def _construct(self, node: Node, is_async: bool, source: _Source) -> str:
        reg = node.reg
        assert reg is not None
        positional: list[str] = []
        keywords: list[str] = []
        in_order = True
        for param, mode, dep in node.args:
            if mode == SKIP:
                in_order = False
                continue
            if mode == NONE or dep is None:
                value = "None"
            else:
                value = self._expr(dep, is_async and dep.is_async, source)
            if param.positional_only:
                if not in_order:
                    raise ResolutionError(
                        f"positional-only parameter {param.name!r} of {node.label} follows a "
                        f"parameter left to its default; register {node.label} with a factory"
                    )
                positional.append(value)
            elif param.keyword_only or not in_order:
                keywords.append(f"{param.name}={value}")
            else:
                positional.append(value)
        call = f"{source.const(reg.target)}({', '.join(positional + keywords)})"
        if reg.is_generator:
            enter = self._aenter if reg.is_async else self._enter
            prefix = "await " if reg.is_async else ""
            return f"({prefix}{source.const(enter)}({call}, scope, {source.const(reg.label)}))"
        return f"(await {call})" if reg.is_async else call

    def _enter(self, gen: Generator[Any, None, None], scope: Scope | None, label: str) -> Any:
        try:
            value = next(gen)
        except StopIteration:
            raise ResolutionError(
                f"the generator factory of {label} returned without yielding; it must yield the "
                f"instance exactly once (code after the yield is its finalizer)"
            ) from None
        self._owner(scope).append((label, gen))
        return value

    def _owner(self, scope: Scope | None) -> Finalizers:
        """The finalizers a generator entered in ``scope`` (``None``: the container) joins."""
        if scope is None:
            return self._finalizers
        owner = scope._finalizers  # pyright: ignore[reportPrivateUsage]
        if owner is None:
            owner = scope._finalizers = []  # pyright: ignore[reportPrivateUsage]
        return owner

    async def _aenter(self, gen: AsyncGenerator[Any, None], scope: Scope | None, label: str) -> Any:
        try:
            value = await anext(gen)
        except StopAsyncIteration:
            raise ResolutionError(
                f"the async generator factory of {label} returned without yielding; it must "
                f"yield the instance exactly once (code after the yield is its finalizer)"
            ) from None
        self._owner(scope).append((label, gen))
        return value


def _define(source: _Source, body: str, label: str, is_async: bool) -> Any:
    text = f"{'async ' if is_async else ''}def resolve(scope):\n    {body}\n"
    exec(compile(text, f"<resolver of {label}>", "exec"), source.ns)
    return source.ns["resolve"]


def _current_scope(scope: Scope | None) -> Scope:
    if scope is None:
        raise ResolutionError(
            "a Scope parameter needs a scope; resolve the service inside "
            "`with container.scope() as scope:`"
        )
    return scope


def _context_getter(node: Node) -> Getter:
    key, label = node.key, node.label

    def resolve(scope: Scope | None) -> Any:
        if scope is None:
            raise ResolutionError(
                f"{label} is supplied per scope; open one with "
                f"container.scope(context={{{label}: value}}) and resolve from it"
            )
        try:
            return scope._context[key]  # pyright: ignore[reportPrivateUsage]
        except KeyError:
            raise ResolutionError(
                f"{label} was not supplied to this scope; pass it with "
                f"container.scope(context={{{label}: value}})"
            ) from None

    return resolve
