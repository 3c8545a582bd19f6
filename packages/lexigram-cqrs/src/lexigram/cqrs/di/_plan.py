"""The chain of one message type, planned from what the container says about its parts.

A plan is made when a bus is built and again only when the container's registrations change
(``Container.revision``). When no part needs a DI scope, the chain is linked once and every
message runs it directly: building a transient handler is one call of its compiled resolver,
and a plain handler class with no behaviours is called with no chain at all. When a part
needs a scope (a scoped service, a generator factory, the ``Scope`` itself), each message
opens one and the parts resolved in it are linked to it.
"""

from __future__ import annotations

import inspect
import linecache
import types
import typing
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from lexigram.di import Container, Scope

from .._handlers import CallStyle, HandlerForm, HandlerSpec
from .._pipeline import Behaviour, Next, by_style, is_stream, iterate, lazy_stream, step

# ``get(scope_or_None)``: the instance (or, when ``is_async``, an awaitable of it).
_Get = Callable[[Scope | None], Any]
# Per message, for a plan that needs a scope: the linked chain of that message's scope.
_Build = Callable[[Scope], Next]


@dataclass(frozen=True, slots=True)
class Source:
    """How to get one part (the handler, or a behaviour class) per message."""

    get: _Get
    is_async: bool
    needs_scope: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """``run(message)`` runs the chain; ``direct``, when set, is the whole chain:
    ``direct(None).handle(message)`` (a sync-built handler class, no behaviours, no scope)."""

    run: Next
    direct: _Get | None = None


def source(container: Container, cls: type[Any]) -> Source:
    """The compiled resolver of ``cls`` and what its dependency graph needs."""
    if container.is_async(cls):
        return Source(container.aresolver(cls), True, container.needs_scope(cls))
    return Source(container.resolver(cls), False, container.needs_scope(cls))


def function_source(container: Container, spec: HandlerSpec) -> Source:
    """A function handler whose parameters after the message are injected per call."""
    fn = spec.call
    message_param = next(iter(inspect.signature(fn).parameters))

    def call(scope: Scope | None) -> Next:
        owner: Container | Scope = container if scope is None else scope

        def invoke(message: Any) -> Awaitable[Any]:
            return owner.acall(fn, **{message_param: message})

        return invoke

    return Source(call, False, _function_needs_scope(container, fn))


def _function_needs_scope(container: Container, fn: Callable[..., Any]) -> bool:
    params = list(inspect.signature(fn).parameters.values())[1:]
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: give it a scope; the call reports them
        return True
    for param in params:
        hint = hints.get(param.name)
        if hint is Scope:
            return True
        try:
            if hint is not None and container.has(hint) and container.needs_scope(hint):
                return True
        except TypeError:  # an unhashable hint is never a service: the call decides
            continue
    return False


def make(spec: HandlerSpec, handler: Source | None, steps: Sequence[Source | object],
         new_scope: Callable[[], Scope]) -> Plan:  # fmt: skip
    """The plan for these parts (``handler`` ``None``: a function taking only the message)."""
    sources = [s for s in (handler, *steps) if isinstance(s, Source)]
    stream = is_stream(spec.message_type)
    if not any(s.needs_scope for s in sources):
        if handler is not None and not steps and _plain_class(spec, handler) and not stream:
            get = handler.get
            return Plan(lambda message: get(None).handle(message), get)
        chain = _terminal(spec, handler, None)
        for entry in reversed(steps):
            chain = _step(entry, None)(chain)
        return Plan(lazy_stream(chain) if stream else chain)
    if handler is not None and not steps and _plain_class(spec, handler) and not stream:
        return Plan(_scoped_handler(new_scope, handler.get))
    build = _builder(spec, handler, steps)
    return Plan(_scoped_stream(new_scope, build) if stream else _scoped(new_scope, build))


def _plain_class(spec: HandlerSpec, handler: Source) -> bool:
    return spec.form is HandlerForm.CLASS and spec.style is CallStyle.ASYNC and not handler.is_async


def _builder(spec: HandlerSpec, handler: Source | None,
             steps: Sequence[Source | object]) -> _Build:  # fmt: skip
    """``build(scope)``: the chain of one message, its parts resolved in its scope."""
    if not steps:
        return lambda scope: _terminal(spec, handler, scope)
    outer_first = list(steps)

    def build(scope: Scope) -> Next:
        chain = _terminal(spec, handler, scope)
        for entry in reversed(outer_first):
            chain = _step(entry, scope)(chain)
        return chain

    return build


def _terminal(spec: HandlerSpec, handler: Source | None, scope: Scope | None) -> Next:
    """The handler's end of the chain; with ``scope`` ``None`` it resolves per call."""
    style = spec.style
    if handler is None:
        return by_style(style, spec.call)
    get = handler.get
    if spec.form is HandlerForm.FUNCTION:
        call: Next = get(scope)
        return call
    if handler.is_async:

        async def build_then_handle(message: Any) -> Any:
            result = (await get(scope)).handle(message)
            return await result if style is CallStyle.ASYNC else result

        return build_then_handle
    if scope is not None:
        return by_style(style, get(scope).handle)
    return by_style(style, lambda message: get(None).handle(message))


def _step(entry: Source | object, scope: Scope | None) -> Callable[[Next], Next]:
    """Wraps the rest of the chain in one behaviour; with ``scope`` ``None`` a behaviour
    class is resolved per call."""
    if not isinstance(entry, Source):
        given = cast("Behaviour", entry)
        return lambda next_: step(given, next_)
    get = entry.get
    if entry.is_async:

        def wrap(next_: Next) -> Next:
            async def build_then_call(message: Any) -> Any:
                built: Behaviour = await get(scope)
                return await built(message, next_)

            return build_then_call

        return wrap
    if scope is not None:
        built: Behaviour = get(scope)
        return lambda next_: step(built, next_)
    return lambda next_: lambda message: get(None)(message, next_)


# The scoped plans below are ``async with new_scope() as scope`` written out without the
# ``__aenter__`` await (a ``Scope`` is usable bare): ``__aexit__`` closes the scope, told
# of the chain's error when there is one, exactly as ``async with`` would.
def _scoped(new_scope: Callable[[], Scope], build: _Build) -> Next:
    async def invoke(message: Any) -> Any:
        scope = new_scope()
        try:
            result = await build(scope)(message)
        except BaseException as error:
            await scope.__aexit__(type(error), error, error.__traceback__)
            raise
        await scope.__aexit__(None, None, None)
        return result

    return invoke


def _scoped_handler(new_scope: Callable[[], Scope], get: _Get) -> Next:
    """A plain handler class, no behaviours: built in the message's scope and called."""

    async def invoke(message: Any) -> Any:
        scope = new_scope()
        try:
            result = await get(scope).handle(message)
        except BaseException as error:
            await scope.__aexit__(type(error), error, error.__traceback__)
            raise
        await scope.__aexit__(None, None, None)
        return result

    return invoke


def _scoped_stream(new_scope: Callable[[], Scope], build: _Build) -> Next:
    async def stream(message: Any) -> AsyncGenerator[Any, None]:
        async with new_scope() as scope:
            async for item in iterate(build(scope), message):
                yield item

    async def invoke(message: Any) -> AsyncGenerator[Any, None]:
        return stream(message)

    return invoke


# What a bus calls per message, generated (like the container's resolvers) so that it
# reads its state as globals rather than closure cells: the revision check, then the
# handler itself (``direct``) or the linked chain (``chain``).
_FOLLOWING_SOURCE: str = """\
def direct(message):
    if container.revision != revision:
        return replan(message)
    return get(None).handle(message)


def chain(message):
    if container.revision != revision:
        return replan(message)
    return run(message)
"""
_FOLLOWING_FILE = "<lexigram.cqrs plan>"
_FOLLOWING = compile(_FOLLOWING_SOURCE, _FOLLOWING_FILE, "exec")
_FOLLOWING_LINES: list[str] = [*_FOLLOWING_SOURCE.splitlines(keepends=True)]
linecache.cache[_FOLLOWING_FILE] = (len(_FOLLOWING_SOURCE), None, _FOLLOWING_LINES, _FOLLOWING_FILE)


def following(container: Container, plan: Callable[[], Plan]) -> Next:
    """``plan()`` now, and again on the first message after the registrations change.

    The bus keeps the returned function; a new plan rebinds the names it reads (and swaps
    its code between the direct and the chain form).
    """
    namespace: dict[str, Any] = {"container": container}
    exec(_FOLLOWING, namespace)
    invoke: types.FunctionType = namespace["direct"]
    codes = {True: invoke.__code__, False: namespace["chain"].__code__}

    def install() -> None:
        revision = container.revision
        current = plan()
        namespace.update(revision=revision, get=current.direct, run=current.run)
        invoke.__code__ = codes[current.direct is not None]

    def replan(message: Any) -> Awaitable[Any]:
        install()
        handled: Awaitable[Any] = invoke(message)
        return handled

    namespace["replan"] = replan
    install()
    return cast("Next", invoke)
