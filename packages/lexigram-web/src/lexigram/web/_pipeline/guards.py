"""Guards: ``can_activate(context) -> bool`` (sync or async) before a handler runs.

Order: global guards, then the controller's, then the handler's. ``False`` answers 403; a guard
raising an ``HTTPError`` (e.g. ``UnauthorizedError(www_authenticate="Bearer")``) answers with it.
A guard may be an instance or a class; a class is built by the container (constructor
injection), once at startup unless it needs request-scoped services.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from lexigram.di import Container
from lexigram.http_errors import UnauthorizedError

from .._declare.errors import ConfigurationError
from .._declare.keywords import check_not_bare
from .._declare.metadata import add_items, adding, update_mapping
from .._declare.protocols import AuthorizerProtocol

__all__ = ["RoleGuard", "UserRolesAuthorizer", "guard", "roles", "use_guards"]

T = TypeVar("T")


def guard(*guards: Any) -> Callable[[T], T]:
    """Attach guards (classes or instances) to a handler or a controller class.

    Guards run in order before the handler; one answering ``False`` ends the request with a
    403 problem (a guard may also raise any ``HTTPError``, such as a 401).
    """
    if not guards:
        raise TypeError("guard() needs at least one guard")
    check_not_bare("guard", guards, "guards")
    return adding("guards", guards)


use_guards = guard
"""The same decorator as `guard`, spelled like NestJS's `@UseGuards`."""


def _user_of(context: Any) -> Any:
    user = getattr(context, "user", None)
    if user is None:
        request = getattr(context, "request", None)
        user = getattr(request, "user", None) if request is not None else None
    return user


class UserRolesAuthorizer:
    """An authorizer reading ``user.roles`` (attribute or mapping key)."""

    def has_any_role(self, user: Any, roles: Sequence[str]) -> bool:
        owned: Any = (
            typing.cast(Mapping[str, Any], user).get("roles")
            if isinstance(user, Mapping)
            else getattr(user, "roles", None)
        )
        if not owned:
            return False
        items: list[Any] = [owned] if isinstance(owned, str) else list(owned)
        owned_set = {str(role) for role in items}
        return any(role in owned_set for role in roles)


class RoleGuard:
    """Admit users having at least one of ``required_roles``.

    A request without a user is a 401 with ``WWW-Authenticate: <www_authenticate>``, one
    without the role a 403. ``authorizer`` defaults to the ``AuthorizerProtocol`` registered
    in the app's container: each app that starts with the guard gets its own copy bound to
    its own authorizer."""

    def __init__(
        self,
        *required_roles: str,
        authorizer: AuthorizerProtocol | None = None,
        www_authenticate: str = "Bearer",
    ) -> None:
        if not required_roles:
            raise TypeError("RoleGuard needs at least one role")
        self.required_roles = tuple(required_roles)
        self.authorizer = authorizer
        self.www_authenticate = www_authenticate

    def setup(self, container: Container) -> RoleGuard | None:
        """Startup hook: a copy bound to ``container``'s authorizer when none was given."""
        if self.authorizer is not None:
            return None
        if not container.has(AuthorizerProtocol):
            raise ConfigurationError(
                f"RoleGuard{self.required_roles} has no authorizer: pass authorizer=..., or"
                " register one with container.singleton(AuthorizerProtocol, MyAuthorizer)"
                " (UserRolesAuthorizer reads user.roles)"
            )
        return RoleGuard(
            *self.required_roles,
            authorizer=container.resolve(AuthorizerProtocol),
            www_authenticate=self.www_authenticate,
        )

    async def can_activate(self, context: Any) -> bool:
        user = _user_of(context)
        if user is None:
            raise UnauthorizedError(
                "authentication required", www_authenticate=self.www_authenticate
            )
        authorizer = self.authorizer
        if authorizer is None:
            raise ConfigurationError("RoleGuard used before startup resolved its authorizer")
        answer = authorizer.has_any_role(user, self.required_roles)
        if inspect.isawaitable(answer):
            answer = await answer
        return bool(answer)


def roles(*role_names: str, authorizer: AuthorizerProtocol | None = None) -> Callable[[T], T]:
    """Restrict a handler (or controller) to users with one of ``role_names``."""
    for role in role_names:
        if not isinstance(role, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f'@roles takes role names, e.g. @roles("admin"); got {role!r} (not bare @roles)'
            )
    guard_instance = RoleGuard(*role_names, authorizer=authorizer)

    def decorate(target: T) -> T:
        add_items(target, "guards", (guard_instance,))
        update_mapping(target, "custom", {"roles": tuple(role_names)})
        return target

    return decorate
