"""``container.call(fn)``: call a function with its parameters injected (plan cached per fn)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import MissingDependencyError, ResolutionError
from ._graph import INJECT, NONE, SKIP
from ._introspect import Param, parameters_of
from ._registration import AllKey, describe

if TYPE_CHECKING:
    from ._container import Container
    from ._scope import Scope

_UNTYPED, _MISSING = "untyped", "missing"
_MAX_PLANS = 4096


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


class CallPlans:
    """Per-function parameter plans of one container, rebuilt when registrations change."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._plans: dict[Any, list[tuple[Param, str]]] = {}

    def clear(self) -> None:
        self._plans.clear()

    def _plan(self, fn: Any) -> list[tuple[Param, str]]:
        try:
            plan = self._plans.get(fn)
        except TypeError:  # unhashable callable: no caching
            return self._build(fn)
        if plan is None:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            plan = self._plans[fn] = self._build(fn)
        return plan

    def _build(self, fn: Any) -> list[tuple[Param, str]]:
        from ._scope import Scope

        container = self._container
        plan: list[tuple[Param, str]] = []
        for param in parameters_of(fn, container._names()):  # pyright: ignore[reportPrivateUsage]
            if param.key is None:
                mode = SKIP if param.has_default else _UNTYPED
            elif (
                isinstance(param.key, AllKey)
                or param.key is Scope
                or container._lookup(param.key) is not None  # pyright: ignore[reportPrivateUsage]
            ):
                mode = INJECT
            elif param.has_default:
                mode = SKIP
            else:
                mode = NONE if param.optional else _MISSING
            plan.append((param, mode))
        return plan

    def _arguments(self, fn: Any, overrides: dict[str, Any]) -> list[tuple[Param, str, Any]]:
        """``(param, mode, value)`` for each parameter; ``value`` set for overrides."""
        out: list[tuple[Param, str, Any]] = []
        for param, mode in self._plan(fn):
            if param.name in overrides:
                out.append((param, "given", overrides[param.name]))
            elif mode == _UNTYPED:
                raise ResolutionError(
                    f"parameter {param.name!r} of {_name(fn)} has no type hint, so nothing can be "
                    f"injected; annotate it, or pass it: call({_name(fn)}, {param.name}=...)"
                )
            elif mode == _MISSING:
                raise MissingDependencyError(
                    f"cannot inject parameter {param.name!r} of {_name(fn)}: "
                    f"{describe(param.key)} is not registered; register it with "
                    f"container.transient(...)/.scoped(...)/.singleton(...), or pass it: "
                    f"call({_name(fn)}, {param.name}=...)"
                )
            else:
                out.append((param, mode, None))
        return out

    def call(self, fn: Any, scope: Scope | None, overrides: dict[str, Any]) -> Any:
        container = self._container
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for param, mode, value in self._arguments(fn, overrides):
            if mode == SKIP:
                continue
            if mode == INJECT:
                value = container._getter(param.key, None)(scope)  # pyright: ignore[reportPrivateUsage]
            _place(param, value, args, kwargs)
        return fn(*args, **kwargs)

    async def acall(self, fn: Any, scope: Scope | None, overrides: dict[str, Any]) -> Any:
        container = self._container
        plain = container._plain  # pyright: ignore[reportPrivateUsage]
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for param, mode, value in self._arguments(fn, overrides):
            if mode == SKIP:
                continue
            if mode == INJECT:
                getter = plain.get(param.key)
                agetter = None if getter else container._agetter(param.key, None)  # pyright: ignore[reportPrivateUsage]
                if agetter is not None:
                    value = await agetter(scope)
                else:  # a sync graph: its resolver called directly, no coroutine
                    value = (getter or container._getter(param.key, None))(scope)  # pyright: ignore[reportPrivateUsage]
            _place(param, value, args, kwargs)
        return fn(*args, **kwargs)


def _place(param: Param, value: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    if param.positional_only:
        args.append(value)
    else:
        kwargs[param.name] = value
