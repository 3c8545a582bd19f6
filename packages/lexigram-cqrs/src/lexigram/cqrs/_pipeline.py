"""Pipeline behaviours and how a handler plus its behaviours become one callable.

A behaviour is ``async (message, next) -> result`` where ``next(message)`` runs the
rest of the chain. The chain of one message type is linked once, when a bus is
built; sending a message then costs one dict lookup and the calls themselves.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ._errors import RegistrationError, type_name
from ._handlers import CallStyle, HandlerForm, HandlerSpec
from ._messages import StreamQuery

Next = Callable[[Any], Awaitable[Any]]
"""The rest of the chain: call it with the message and await the result."""


class Behaviour(Protocol):
    """``async def __call__(message, next)``; may also define ``applies_to(message_type)``."""

    def __call__(self, message: Any, next: Next, /) -> Awaitable[Any]: ...


class HandlerActivator(Protocol):
    """Turns a handler and its behaviours into the callable a bus awaits per message.

    Called once per (message type, handler) when a bus is built.
    """

    def activate(self, spec: HandlerSpec, behaviours: Sequence[object]) -> Next: ...


@dataclass(frozen=True, slots=True)
class OnlyFor:
    """A behaviour restricted to some message types (and their subclasses)."""

    behaviour: object
    message_types: tuple[type[Any], ...]


def only_for(behaviour: object, *message_types: type[Any]) -> OnlyFor:
    """Apply ``behaviour`` only to messages of ``message_types`` (checked once per type)."""
    if not message_types:
        raise RegistrationError(
            f"only_for({behaviour!r}) needs at least one message type, e.g. "
            "only_for(behaviour, CreateUser)"
        )
    return OnlyFor(behaviour, message_types)


def select_behaviours(entries: Sequence[object], message_type: type[Any]) -> list[object]:
    """The entries that apply to ``message_type``, unwrapped, in the configured order."""
    selected: list[object] = []
    for entry in entries:
        behaviour = entry
        if isinstance(entry, OnlyFor):
            if not issubclass(message_type, entry.message_types):
                continue
            behaviour = entry.behaviour
        if not isinstance(behaviour, type) and not callable(behaviour):
            raise RegistrationError(
                f"{behaviour!r} is not a behaviour: pass an object or function called as "
                "behaviour(message, next), or a class whose instances are"
            )
        applies_to = _applies_to(behaviour)
        if applies_to is None or applies_to(message_type):
            selected.append(behaviour)
    return selected


def _applies_to(behaviour: object) -> Callable[[type[Any]], bool] | None:
    if isinstance(behaviour, type):
        # A class's own ``applies_to`` is consulted only when callable without an instance.
        raw = inspect.getattr_static(behaviour, "applies_to", None)
        if not isinstance(raw, classmethod | staticmethod):
            return None
    found: Callable[[type[Any]], bool] | None = getattr(behaviour, "applies_to", None)
    return found if callable(found) else None


def link(behaviours: Sequence[Behaviour], terminal: Next) -> Next:
    """``behaviours[0]`` outermost, ``terminal`` innermost."""
    chain = terminal
    for behaviour in reversed(behaviours):
        chain = step(behaviour, chain)
    return chain


def step(behaviour: Behaviour, next_: Next) -> Next:
    return lambda message: behaviour(message, next_)


def by_style(style: CallStyle, func: Callable[[Any], Any]) -> Next:
    """Adapt a one-argument handler call to ``Next`` (await-able) by its call style."""
    if style is CallStyle.ASYNC:
        return func

    async def call(message: Any) -> Any:
        return func(message)

    return call


def is_stream(message_type: type[Any]) -> bool:
    return issubclass(message_type, StreamQuery)


def lazy_stream(chain: Next) -> Next:
    """For streaming queries: the chain runs when iteration starts, items flow directly."""

    async def invoke(message: Any) -> AsyncIterator[Any]:
        return iterate(chain, message)

    return invoke


async def iterate(chain: Next, message: Any) -> AsyncGenerator[Any, None]:
    iterator: AsyncIterator[Any] = await chain(message)
    try:
        async for item in iterator:
            yield item
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


def require_no_arguments(cls: type[Any], what: str) -> None:
    """Fail at startup when a class cannot be built without a container."""
    try:
        inspect.signature(cls).bind()
    except TypeError:
        raise RegistrationError(
            f"{what} {type_name(cls)} needs constructor arguments: register an instance "
            f"instead (e.g. {cls.__qualname__}(...)), or build it with a container "
            '(lexigram.cqrs.di, pip install "lexigram-cqrs[di]")'
        ) from None
    except ValueError:  # no signature available (builtins): let the call decide
        pass


def require_message_only(
    spec: HandlerSpec, func: Callable[..., Any], bound: tuple[Any, ...]
) -> None:
    """Fail at startup when a handler wants more than the message and no container is used."""
    try:
        inspect.signature(func).bind(*bound, None)
    except TypeError:
        raise RegistrationError(
            f"{spec.name} must take exactly the message as its argument; parameters beyond the "
            "message are injected only with a container "
            '(lexigram.cqrs.di, pip install "lexigram-cqrs[di]")'
        ) from None
    except ValueError:  # no signature available (builtins): let the call decide
        pass


class DirectActivator:
    """The default: no container. Classes are built with no arguments.

    A handler class is built per message; a behaviour class once per activator.
    """

    __slots__ = ("_built",)

    def __init__(self) -> None:
        self._built: dict[type[Any], Behaviour] = {}

    def activate(self, spec: HandlerSpec, behaviours: Sequence[object]) -> Next:
        chain = link([self._behaviour(b) for b in behaviours], self._terminal(spec))
        return lazy_stream(chain) if is_stream(spec.message_type) else chain

    def _behaviour(self, entry: object) -> Behaviour:
        if not isinstance(entry, type):
            return entry  # type: ignore[return-value]
        built = self._built.get(entry)
        if built is None:
            require_no_arguments(entry, "behaviour")
            built = self._built[entry] = entry()
        return built

    @staticmethod
    def _terminal(spec: HandlerSpec) -> Next:
        if spec.form is not HandlerForm.CLASS:
            require_message_only(spec, spec.call, ())
            return by_style(spec.style, spec.call)
        cls: type[Any] = spec.handler
        require_no_arguments(cls, "handler")
        plain = inspect.isfunction(inspect.getattr_static(cls, "handle", None))
        require_message_only(spec, spec.call, (None,) if plain else ())
        return by_style(spec.style, lambda message: cls().handle(message))
