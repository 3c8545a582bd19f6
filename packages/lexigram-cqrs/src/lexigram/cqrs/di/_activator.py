"""``ContainerActivator``: handlers and behaviour classes built by a container per message."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Sequence
from typing import Any, cast

from lexigram.di import Container, Scope

from .._errors import RegistrationError, type_name
from .._handlers import HandlerForm, HandlerSpec
from .._pipeline import Behaviour, Next, by_style, is_stream, lazy_stream, link
from . import _plan


class ContainerActivator:
    """Builds handler classes (and behaviour classes) with ``container``.

    Everything is analysed once, when a bus is built: a missing registration fails then.
    When the handler and the behaviour classes need no DI scope (no scoped service, no
    generator factory, no ``Scope`` parameter in their graphs), each message calls their
    compiled resolvers directly, through a chain linked once. Otherwise each message opens
    ``container.scope()``: the handler, its scoped services and the behaviour classes are
    resolved in it, and its finalizers run when the message is handled (for a streaming
    query: when iteration ends). The plan follows the container: after a registration or an
    override changes what a part needs, the next message plans again. Function handlers get
    the parameters after the message injected. Behaviour instances and handler instances
    are used as they are.
    """

    __slots__ = ("_container",)

    def __init__(self, container: Container) -> None:
        self._container = container

    def activate(self, spec: HandlerSpec, behaviours: Sequence[object]) -> Next:
        for entry in behaviours:
            if isinstance(entry, type):
                self._require(entry, "behaviour")
        if spec.form is HandlerForm.CLASS:
            self._require(spec.handler, "handler")
        injected = spec.form is HandlerForm.FUNCTION and self._injected(spec)
        per_message = spec.form is HandlerForm.CLASS or injected
        if not per_message and not any(isinstance(b, type) for b in behaviours):
            static = cast("list[Behaviour]", list(behaviours))
            chain = link(static, by_style(spec.style, spec.call))
            return lazy_stream(chain) if is_stream(spec.message_type) else chain
        plan = functools.partial(self._plan, spec, tuple(behaviours), injected)
        return _plan.following(self._container, plan)

    def _plan(
        self, spec: HandlerSpec, behaviours: tuple[object, ...], injected: bool
    ) -> _plan.Plan:
        container = self._container
        handler: _plan.Source | None = None
        if spec.form is HandlerForm.CLASS:
            handler = _plan.source(container, spec.handler)
        elif injected:
            handler = _plan.function_source(container, spec)
        steps = [_plan.source(container, b) if isinstance(b, type) else b for b in behaviours]
        return _plan.make(spec, handler, steps, container.scope)

    # -- analysis (once per bus) -----------------------------------------------------------
    def _require(self, cls: type[Any], what: str) -> None:
        if not self._container.has(cls):
            raise RegistrationError(
                f"{what} {type_name(cls)} is not registered in the container; register it "
                f"(container.transient({cls.__qualname__}) or .scoped(...)) or configure it "
                "with CQRSModule.configure(...), which registers handlers and behaviours"
            )

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
            if param.default is not param.empty or hint is None or hint is Scope:
                continue  # a default, nothing to inject, or the message's own scope
            if not self._container.has(hint):
                raise RegistrationError(
                    f"{spec.name} needs {param.name}: {getattr(hint, '__qualname__', hint)}, "
                    "which is not registered in the container; register it (container.scoped("
                    "...)/.transient(...)/.singleton(...)) or give the parameter a default"
                )
        return True
