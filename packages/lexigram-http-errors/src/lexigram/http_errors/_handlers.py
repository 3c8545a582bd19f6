"""``ExceptionHandlers``: handlers keyed by exception type or by status code."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Final, Generic, TypeAlias, TypeVar

from ._http_error import HTTPError
from ._members import check_status

__all__ = ["ExceptionHandlers", "HandlerKey"]

H = TypeVar("H")
HandlerKey: TypeAlias = type[BaseException] | int
"""An exception class (matched along the MRO) or an HTTP status code (400-599)."""

_CACHE_LIMIT: Final = 2048
_MISSING: Final = object()


def _check_key(key: object) -> HandlerKey:
    if isinstance(key, type) and issubclass(key, BaseException):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return check_status(key, 400, 599, "an exception-handler status code")
    raise TypeError(
        f"exception handler keys are exception classes or status codes (e.g. ValueError or "
        f"404), got {key!r}"
    )


class ExceptionHandlers(Generic[H]):
    """A registry of handlers (of any type ``H``) keyed by exception type or status code.

    ``lookup(exc, status)`` tries, in order: the exception's type (this registry along the
    exception's MRO, then each parent the same way, so the nearest registry that handles any
    of the exception's classes wins, as a route's own handler beats the app's), then
    ``status`` (this registry, then its parents), then the fallback (this registry's, else
    the nearest parent's). ``status``
    defaults to an ``HTTPError``'s own ``status_code``. Results are cached per
    (type, status); adding to this registry or an ancestor clears the caches.
    """

    __slots__ = (
        "__weakref__",
        "_by_status",
        "_by_type",
        "_cache",
        "_children",
        "_fallback",
        "_parent",
    )

    def __init__(
        self,
        handlers: Mapping[HandlerKey, H] | None = None,
        *,
        fallback: H | None = None,
        parent: ExceptionHandlers[H] | None = None,
    ) -> None:
        self._by_type: dict[type[BaseException], H] = {}
        self._by_status: dict[int, H] = {}
        self._fallback = fallback
        self._cache: dict[tuple[type[BaseException], int | None], H | None] = {}
        self._children: weakref.WeakSet[ExceptionHandlers[H]] = weakref.WeakSet()
        self._parent = parent
        if parent is not None:
            parent._children.add(self)
        for key, handler in (handlers or {}).items():
            self.add(key, handler)

    @property
    def parent(self) -> ExceptionHandlers[H] | None:
        """The registry this one falls back to."""
        return self._parent

    @property
    def fallback(self) -> H | None:
        """This registry's own fallback handler."""
        return self._fallback

    def add(self, key: HandlerKey, handler: H, *, replace: bool = False) -> None:
        """Register ``handler`` for an exception class or a status code.

        A second handler for the same key raises ``ValueError`` unless ``replace=True``.
        """
        checked = _check_key(key)
        if isinstance(checked, int):
            if checked in self._by_status and not replace:
                raise ValueError(
                    f"a handler for status {checked} is already registered; pass replace=True "
                    "to replace it"
                )
            self._by_status[checked] = handler
        else:
            if checked in self._by_type and not replace:
                raise ValueError(
                    f"a handler for {checked.__qualname__} is already registered; pass "
                    "replace=True to replace it"
                )
            self._by_type[checked] = handler
        self._invalidate()

    def handler(self, key: HandlerKey, *, replace: bool = False) -> Callable[[H], H]:
        """Decorator form of ``add``: ``@handlers.handler(ValueError)``."""

        def register(handler: H) -> H:
            self.add(key, handler, replace=replace)
            return handler

        return register

    def set_fallback(self, handler: H | None) -> None:
        """Set (or clear, with ``None``) the handler used when nothing else matches."""
        self._fallback = handler
        self._invalidate()

    def _invalidate(self) -> None:
        self._cache.clear()
        for child in list(self._children):
            child._invalidate()

    def child(self) -> ExceptionHandlers[H]:
        """A new, empty registry that falls back to this one."""
        return ExceptionHandlers(parent=self)

    def copy(self) -> ExceptionHandlers[H]:
        """A new registry with this one's own handlers, fallback and parent."""
        copied: ExceptionHandlers[H] = ExceptionHandlers(
            fallback=self._fallback, parent=self._parent
        )
        copied._by_type.update(self._by_type)
        copied._by_status.update(self._by_status)
        return copied

    def lookup(
        self, exc: BaseException | type[BaseException], status: int | None = None
    ) -> H | None:
        """The handler for ``exc`` (an exception or exception class), or ``None``."""
        if isinstance(exc, BaseException):
            if status is None and isinstance(exc, HTTPError):
                status = exc.status_code
            exc_type: type[BaseException] = type(exc)
        else:
            exc_type = exc
        key = (exc_type, status)
        found = self._cache.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        handler = self._resolve(exc_type, status)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = handler
        return handler

    def _chain(self) -> list[ExceptionHandlers[H]]:
        chain: list[ExceptionHandlers[H]] = []
        current: ExceptionHandlers[H] | None = self
        while current is not None:
            chain.append(current)
            current = current._parent
        return chain

    def _resolve(self, exc_type: type[BaseException], status: int | None) -> H | None:
        chain = self._chain()
        mro = exc_type.__mro__
        for registry in chain:
            by_type = registry._by_type
            for klass in mro:
                handler = by_type.get(klass)
                if handler is not None:
                    return handler
        if status is not None:
            for registry in chain:
                handler = registry._by_status.get(status)
                if handler is not None:
                    return handler
        for registry in chain:
            if registry._fallback is not None:
                return registry._fallback
        return None

    def keys(self) -> Iterator[HandlerKey]:
        """This registry's own keys: exception classes, then status codes."""
        return iter([*self._by_type, *self._by_status])

    def __contains__(self, key: object) -> bool:
        return any(key == known for known in self.keys())

    def __len__(self) -> int:
        return len(self._by_type) + len(self._by_status)

    def __repr__(self) -> str:
        keys = ", ".join(k.__qualname__ if isinstance(k, type) else str(k) for k in self.keys())
        return f"ExceptionHandlers([{keys}])"
