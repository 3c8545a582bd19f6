"""``ErrorStatusMap``: exception type → HTTP status, owned by an app (or a controller)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, TypeVar, overload

from . import domain
from ._http_error import HTTPError
from ._members import check_status

__all__ = ["DEFAULT_ERROR_STATUSES", "ErrorStatusMap", "error_status"]

DEFAULT_ERROR_STATUSES: Final[Mapping[type[BaseException], int]] = MappingProxyType(
    {
        domain.NotFoundError: 404,
        domain.ValidationError: 422,
        domain.PermissionDeniedError: 403,
        domain.AuthorizationError: 403,
        domain.AuthenticationError: 401,
        domain.ConflictError: 409,
        domain.RateLimitError: 429,
        domain.DomainError: 400,
    }
)
"""The statuses every map falls back to (the domain errors of ``lexigram.http_errors.domain``)."""

_OWNER_ATTR: Final = "__error_statuses__"
_CACHE_LIMIT: Final = 2048

_E = TypeVar("_E", bound=type[BaseException])
_C = TypeVar("_C", bound=type[object])


def _check_error_type(error_type: object) -> type[BaseException]:
    if isinstance(error_type, type) and issubclass(error_type, BaseException):
        if issubclass(error_type, HTTPError):
            raise TypeError(
                f"{error_type.__qualname__} is an HTTPError and carries its own status_code; "
                "map a domain exception instead, or raise an HTTPError with the status you want"
            )
        return error_type
    raise TypeError(f"expected an exception class such as ValueError, got {error_type!r}")


def _declared(klass: type) -> int | None:
    status: int | None = klass.__dict__.get("__error_status__")
    return status


class ErrorStatusMap:
    """Maps exception types to HTTP statuses; lookups follow the exception's MRO.

    For each class of the MRO, most specific first, the map asks its own entries, then its
    parent's (and so on up the chain), then a status the class declares with
    ``@error_status(404)``, then ``DEFAULT_ERROR_STATUSES``. The first hit wins, so a
    specific type mapped anywhere in the chain beats a base type mapped nearer. An
    ``HTTPError`` always maps to its own ``status_code`` (HTTPError classes cannot be
    registered). Lookups are cached per type; ``register`` on this map or any ancestor
    clears the caches that depend on it.
    """

    __slots__ = ("__weakref__", "_cache", "_children", "_entries", "_parent")

    def __init__(
        self,
        mapping: Mapping[type[BaseException], int] | None = None,
        *,
        parent: ErrorStatusMap | None = None,
    ) -> None:
        self._entries: dict[type[BaseException], int] = {}
        self._cache: dict[type[BaseException], int | None] = {}
        self._children: weakref.WeakSet[ErrorStatusMap] = weakref.WeakSet()
        self._parent = parent
        if parent is not None:
            parent._children.add(self)
        for error_type, status in (mapping or {}).items():
            self.register(error_type, status)

    @classmethod
    def for_class(cls, owner: type, *, parent: ErrorStatusMap | None = None) -> ErrorStatusMap:
        """A map of the ``@error_status(ErrorType, status)`` declarations on ``owner``'s MRO.

        Declarations on a subclass override those on its bases. Give ``parent`` (the app's
        map) so that everything ``owner`` does not declare falls back to it.
        """
        entries: dict[type[BaseException], int] = {}
        for klass in reversed(owner.__mro__):
            declared: tuple[tuple[type[BaseException], int], ...] = klass.__dict__.get(
                _OWNER_ATTR, ()
            )
            entries.update(declared)
        return cls(entries, parent=parent)

    @property
    def parent(self) -> ErrorStatusMap | None:
        """The map this one falls back to."""
        return self._parent

    def register(self, error_type: type[BaseException], status: int) -> None:
        """Map ``error_type`` and its subclasses to ``status`` (400-599).

        Registering a type again replaces its status (e.g. ``ValidationError`` to 400).
        """
        self._entries[_check_error_type(error_type)] = check_status(
            status, 400, 599, "an error status"
        )
        self._invalidate()

    def _invalidate(self) -> None:
        self._cache.clear()
        for child in list(self._children):
            child._invalidate()

    def child(self, mapping: Mapping[type[BaseException], int] | None = None) -> ErrorStatusMap:
        """A new map that falls back to this one."""
        return ErrorStatusMap(mapping, parent=self)

    def copy(self) -> ErrorStatusMap:
        """A new map with this map's own entries and the same parent."""
        return ErrorStatusMap(self._entries, parent=self._parent)

    def lookup(self, error: BaseException | type[BaseException]) -> int | None:
        """The status for an exception (or exception type), or ``None`` when nothing matches."""
        if isinstance(error, BaseException):
            if isinstance(error, HTTPError):
                return error.status_code
            error_type: type[BaseException] = type(error)
        else:
            error_type = error
        try:
            return self._cache[error_type]
        except KeyError:
            pass
        status = self._resolve(error_type)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[error_type] = status
        return status

    def _resolve(self, error_type: type[BaseException]) -> int | None:
        chain: list[dict[type[BaseException], int]] = []
        current: ErrorStatusMap | None = self
        while current is not None:
            chain.append(current._entries)
            current = current._parent
        for klass in error_type.__mro__:
            for entries in chain:
                status = entries.get(klass)
                if status is not None:
                    return status
            declared = _declared(klass)
            if declared is not None:
                return declared
            status = DEFAULT_ERROR_STATUSES.get(klass)
            if status is not None:
                return status
        return None

    def items(self) -> Iterator[tuple[type[BaseException], int]]:
        """This map's own entries (not its parent's)."""
        return iter(list(self._entries.items()))

    def __contains__(self, error_type: object) -> bool:
        return any(error_type is known for known in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        names = ", ".join(f"{t.__qualname__}: {s}" for t, s in self._entries.items())
        parent = "" if self._parent is None else ", parent=..."
        return f"ErrorStatusMap({{{names}}}{parent})"


@overload
def error_status(status: int, /) -> Callable[[_E], _E]: ...
@overload
def error_status(error_type: type[BaseException], status: int, /) -> Callable[[_C], _C]: ...
def error_status(
    error_type_or_status: type[BaseException] | int, status: int | None = None, /
) -> Callable[[Any], Any]:
    """Declare an error → status mapping on a class, for an ``ErrorStatusMap`` to read.

    ``@error_status(404)`` on an exception class gives that class (and its subclasses) a
    status every map honours. ``@error_status(PaymentDeclined, 402)`` on any class (a
    controller) records a declaration that ``ErrorStatusMap.for_class(owner, parent=app_map)``
    turns into that owner's map. Nothing is registered globally.
    """
    if status is None:
        code = check_status(error_type_or_status, 400, 599, "error_status(status)")

        def mark(error_class: Any) -> Any:
            _check_error_type(error_class)
            error_class.__error_status__ = code
            return error_class

        return mark
    error_type = _check_error_type(error_type_or_status)
    code = check_status(status, 400, 599, "error_status(error_type, status)")

    def declare(owner: Any) -> Any:
        if not isinstance(owner, type):
            raise TypeError(f"@error_status(ErrorType, status) decorates a class, got {owner!r}")
        own: tuple[tuple[type[BaseException], int], ...] = owner.__dict__.get(_OWNER_ATTR, ())
        setattr(owner, _OWNER_ATTR, (*own, (error_type, code)))
        return owner

    return declare
