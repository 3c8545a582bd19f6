"""``get_current_user_optional`` / ``get_current_user_required``: the authenticated user.

Both read what an authentication middleware or guard stored (``scope["user"]``, else
``request.state.user``). Await them with the request, or name them as a handler parameter::

    @get("/me")
    async def me(user: Annotated[User, get_current_user_required]) -> User: ...
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, Protocol

from starlette.types import Scope

from lexigram.http_errors import UnauthorizedError

from .._declare.dependencies import request_dependency
from .context import state_value

__all__ = ["get_current_user_optional", "get_current_user_required", "user_identity"]

_IDENTITY_NAMES = ("id", "identity", "username")


def user_identity(user: Any) -> Any | None:
    """Who an authenticated ``user`` is, for limits keyed per user: its ``id``, ``identity``
    or ``username`` (a mapping key or an attribute), or the user itself when it is a ``str``
    or ``int``; ``None`` for no user, an unauthenticated one, or one without an identity
    (the caller then keys on the client address)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return None
    mapping = isinstance(user, Mapping)
    for name in _IDENTITY_NAMES:
        value: Any = (
            typing.cast(Mapping[str, Any], user).get(name) if mapping else getattr(user, name, None)
        )
        if value is not None and value != "":
            return value
    if isinstance(user, str | int) and not isinstance(user, bool):
        return user
    return None


class _HasScope(Protocol):
    @property
    def scope(self) -> Scope: ...


def _user_of(scope: Scope) -> Any:
    if "user" in scope:
        return scope["user"]
    return state_value(scope, "user")


@request_dependency
async def get_current_user_optional(request: _HasScope) -> Any | None:
    """The authenticated user, or ``None`` when the request carries none."""
    return _user_of(request.scope)


@request_dependency
async def get_current_user_required(request: _HasScope) -> Any:
    """The authenticated user; without one, a 401 problem with ``WWW-Authenticate: Bearer``."""
    user = _user_of(request.scope)
    if user is None:
        raise UnauthorizedError("authentication required", www_authenticate="Bearer")
    return user
