"""``ContainerActivator``: handlers and behaviour classes built in a scope per message."""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any, cast

from lexigram.di import Container, Scope

from .._errors import RegistrationError, type_name
from .._handlers import HandlerForm, HandlerSpec
from .._pipeline import Behaviour, Next, by_style, is_stream, iterate, lazy_stream, link, step

# Per message: (scope) -> the behaviour or handler instance, awaited when async.
_Get = Callable[[Scope], Any]
# A behaviour: resolved per message (getter, is_async, None) or given (None, False, instance).
_Step = tuple[_Get | None, bool, object]


class ContainerActivator:
    """Builds handler classes (and behaviour classes) with ``container``.

    Each message opens ``container.scope()``: the handler, its scoped services and any
    behaviour given as a class are resolved in it, and its finalizers run when the
    message is handled (for a streaming query: when iteration ends). Function handlers
    get the parameters after the message injected. Behaviour instances and handler
    instances are used as they are; a function taking only the message needs no scope.
    Everything is analysed once, when a bus is built: a missing registration fails then.
    """

    __slots__ = ("_container",)

    def __init__(self, container: Container) -> None:
        self._container = container

    def activate(self, spec: HandlerSpec, behaviours: Sequence[object]) -> Next:
        steps: list[_Step] = [
            (*self._getter(b, "behaviour"), None) if isinstance(b, type) else (None, False, b)
            for b in behaviours
        ]
        handler = self._handler(spec)
        if handler is None and all(get is None for get, _, _ in steps):  # nothing per message
            static = [cast("Behaviour", b) for _, _, b in steps]
            chain = link(static, by_style(spec.style, spec.call))
            return lazy_stream(chain) if is_stream(spec.message_type) else chain
        build = self._builder(spec, steps, handler)
        return self._scoped_stream(build) if is_stream(spec.message_type) else self._scoped(build)

    # -- analysis (once per bus) -----------------------------------------------------------
    def _getter(self, cls: type[Any], what: str) -> tuple[_Get, bool]:
        container = self._container
        if not container.has(cls):
            raise RegistrationError(
                f"{what} {type_name(cls)} is not registered in the container; register it "
                f"(container.transient({cls.__qualname__}) or .scoped(...)) or configure it "
                "with CQRSModule.configure(...), which registers handlers and behaviours"
            )
        if container.is_async(cls):
            return container.aresolver(cls), True
        return container.resolver(cls), False

    def _handler(self, spec: HandlerSpec) -> tuple[_Get, bool] | None:
        """How to get the handler per message; ``None`` when no scope is needed."""
        if spec.form is HandlerForm.CLASS:
            return self._getter(spec.handler, "handler")
        if spec.form is HandlerForm.FUNCTION and self._injected(spec):
            return _call_getter(spec), False
        return None

    def _injected(self, spec: HandlerSpec) -> bool:
        """Whether a function handler takes parameters besides the message (checked now)."""
        try:
            params = list(inspect.signature(spec.call).parameters.values())
        except (TypeError, ValueError):
            return False
        extra = [p for p in params[1:] if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if not extra:
            return False
        try:
            hints = typing.get_type_hints(spec.call)
        except Exception:  # unresolvable annotations: the container reports them per call
            return True
        for param in extra:
            hint = hints.get(param.name)
            if param.default is param.empty and hint is not None and not self._container.has(hint):
                raise RegistrationError(
                    f"{spec.name} needs {param.name}: {getattr(hint, '__qualname__', hint)}, "
                    "which is not registered in the container; register it (container.scoped("
                    "...)/.transient(...)/.singleton(...)) or give the parameter a default"
                )
        return True

    # -- per message -------------------------------------------------------------------------
    def _builder(
        self,
        spec: HandlerSpec,
        steps: list[_Step],
        handler: tuple[_Get, bool] | None,
    ) -> Callable[[Scope], Awaitable[Next]]:
        """``await build(scope)`` gives the chain of one message, linked in its scope."""
        style, call, form = spec.style, spec.call, spec.form

        async def build(scope: Scope) -> Next:
            if handler is None:
                terminal = by_style(style, call)
            else:
                get, is_async = handler
                built = get(scope)
                if is_async:
                    built = await built
                if form is HandlerForm.FUNCTION:  # ``built`` is the call bound to the scope
                    terminal = built
                else:
                    bound = built.handle
                    terminal = by_style(style, bound)
            chain = terminal
            for get_step, step_is_async, given in reversed(steps):
                behaviour: Any = given
                if get_step is not None:
                    behaviour = get_step(scope)
                    if step_is_async:
                        behaviour = await behaviour
                chain = step(behaviour, chain)
            return chain

        return build

    def _scoped(self, build: Callable[[Scope], Awaitable[Next]]) -> Next:
        container = self._container

        async def invoke(message: Any) -> Any:
            async with container.scope() as scope:
                chain = await build(scope)
                return await chain(message)

        return invoke

    def _scoped_stream(self, build: Callable[[Scope], Awaitable[Next]]) -> Next:
        container = self._container

        async def stream(message: Any) -> AsyncGenerator[Any, None]:
            async with container.scope() as scope:
                chain = await build(scope)
                async for item in iterate(chain, message):
                    yield item

        async def invoke(message: Any) -> AsyncGenerator[Any, None]:
            return stream(message)

        return invoke


def _call_getter(spec: HandlerSpec) -> _Get:
    """For a function handler with injected parameters: the call bound to a scope."""
    fn = spec.call
    message_param = next(iter(inspect.signature(fn).parameters))

    def bind(scope: Scope) -> Next:
        async def call(message: Any) -> Any:
            return await scope.acall(fn, **{message_param: message})

        return call

    return bind
