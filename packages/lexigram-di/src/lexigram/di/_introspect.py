"""Read what a class or factory needs from its signature and type hints (once per plan)."""

from __future__ import annotations

import functools
import inspect
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ForwardRef, Union, get_args, get_origin, get_type_hints

from ._errors import ResolutionError
from ._registration import AllKey, NamedKey, describe


@dataclass(frozen=True, slots=True)
class Named:
    """``Annotated[T, Named("primary")]`` asks for the registration of ``T`` named ``"primary"``."""

    name: str


@dataclass(frozen=True, slots=True)
class Param:
    """One injectable parameter of a class or factory."""

    name: str
    positional_only: bool
    keyword_only: bool
    key: Any
    """The service key to inject, or ``None`` when the parameter has no usable type hint."""
    optional: bool
    """The hint accepts ``None`` (``T | None``)."""
    has_default: bool


class _Holder:
    def __init__(self, annotations: dict[str, Any]) -> None:
        self.__annotations__ = annotations


def _globals_of(target: Any) -> dict[str, Any]:
    """The module namespace a forward reference in ``target``'s signature is written in."""
    func: Any = target
    while isinstance(func, functools.partial):
        func = func.func
    if isinstance(func, type):
        cls: type = func
        for method in (cls.__dict__.get("__init__") or getattr(cls, "__init__"), cls.__new__):  # noqa: B009
            if method is not object.__init__ and method is not object.__new__:
                found = getattr(inspect.unwrap(method), "__globals__", None)
                if isinstance(found, dict):
                    return found  # pyright: ignore[reportUnknownVariableType]
        module = sys.modules.get(cls.__module__)
        return vars(module) if module else {}
    if not inspect.isroutine(func):
        func = type(func).__call__
    found = getattr(inspect.unwrap(func), "__globals__", None)
    return found if isinstance(found, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _owner_name(target: Any) -> str:
    if isinstance(target, type):
        return f"{target.__name__}.__init__"
    return getattr(target, "__qualname__", None) or describe(target)


def _evaluate(
    target: Any, name: str, annotation: Any, globalns: dict[str, Any], localns: Mapping[str, Any]
) -> Any:
    holder = _Holder({name: annotation})
    try:
        return get_type_hints(holder, globalns, None, include_extras=True)[name]
    except NameError:
        pass
    try:
        return get_type_hints(holder, globalns, dict(localns), include_extras=True)[name]
    except NameError as exc:
        raise ResolutionError(
            f"cannot resolve the type hint {annotation!r} of parameter {name!r} of "
            f"{_owner_name(target)} ({exc}); define that class at module level, or register it "
            f"in the container before resolving"
        ) from None


def key_of(hint: Any) -> tuple[Any, bool]:
    """The service key a type hint asks for, and whether it also accepts ``None``."""
    origin = get_origin(hint)
    if origin is Annotated:
        base, optional = key_of(get_args(hint)[0])
        for meta in hint.__metadata__:
            if isinstance(meta, Named):
                return NamedKey(base, meta.name), optional
        return base, optional
    if origin is Union or origin is types.UnionType:
        args = get_args(hint)
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return key_of(rest[0])[0], True
        return hint, False
    if origin is list:
        (item,) = get_args(hint) or (Any,)
        return AllKey(item), False
    if hint is Any or hint is inspect.Parameter.empty:
        return None, False
    return hint, False


def parameters_of(target: Callable[..., Any], localns: Mapping[str, Any]) -> list[Param]:
    """The injectable parameters of ``target`` (``*args`` and ``**kwargs`` are left out)."""
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError) as exc:
        raise ResolutionError(
            f"cannot read the signature of {_owner_name(target)} ({exc}); register it with "
            f"factory= set to a function with type hints"
        ) from None
    globalns: dict[str, Any] | None = None
    params: list[Param] = []
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = param.annotation
        if isinstance(annotation, str) or _has_forward_ref(annotation):
            if globalns is None:
                globalns = _globals_of(target)
            annotation = _evaluate(target, param.name, annotation, globalns, localns)
        key, optional = key_of(annotation)
        params.append(
            Param(
                name=param.name,
                positional_only=param.kind is param.POSITIONAL_ONLY,
                keyword_only=param.kind is param.KEYWORD_ONLY,
                key=key,
                optional=optional,
                has_default=param.default is not param.empty,
            )
        )
    return params


def _has_forward_ref(annotation: Any) -> bool:
    if isinstance(annotation, str | ForwardRef):
        return True
    return any(_has_forward_ref(arg) for arg in get_args(annotation))
