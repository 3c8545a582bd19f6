"""API-key authentication: ``X-API-Key`` -> a ``Principal`` with roles.

``ApiKeyGuard`` answers 401 (with ``WWW-Authenticate``) when the key is missing or unknown and
puts the caller on the request (``scope["user"]``); ``@roles(...)`` (lexigram.web's
``RoleGuard``, reading ``user.roles``) then answers 403 when a role is missing.
"""

from __future__ import annotations

import hmac

from lexigram.http_errors import UnauthorizedError
from lexigram.web import ExecutionContext

from .domain import Principal
from .settings import OrdersSettings

__all__ = ["API_KEY_HEADER", "ApiKeyGuard", "ApiKeys", "WritesNeedRole"]

API_KEY_HEADER = "X-API-Key"
CHALLENGE = f'ApiKey header="{API_KEY_HEADER}"'


class ApiKeys:
    """The configured keys (compared in constant time)."""

    def __init__(self, settings: OrdersSettings) -> None:
        self._keys = [
            (key.encode(), Principal(entry.user, frozenset(entry.roles)))
            for key, entry in settings.api_keys.items()
        ]

    def principal(self, key: str) -> Principal | None:
        found = None
        given = key.encode()
        for known, principal in self._keys:
            if hmac.compare_digest(known, given):
                found = principal
        return found


class ApiKeyGuard:
    openapi_security = "ApiKey"

    def __init__(self, keys: ApiKeys) -> None:
        self.keys = keys

    def can_activate(self, context: ExecutionContext) -> bool:
        key = context.headers.get(API_KEY_HEADER.lower())
        if not key:
            raise UnauthorizedError(
                f"Send an API key in the {API_KEY_HEADER} header", www_authenticate=CHALLENGE
            )
        principal = self.keys.principal(key)
        if principal is None:
            raise UnauthorizedError("The API key is not valid", www_authenticate=CHALLENGE)
        context.scope["user"] = principal
        return True


class WritesNeedRole:
    """Reads (GET, HEAD) for every caller; anything else needs ``role``."""

    def __init__(self, role: str) -> None:
        self.role = role

    def can_activate(self, context: ExecutionContext) -> bool:
        if context.method in ("GET", "HEAD"):
            return True
        user = context.user
        return isinstance(user, Principal) and user.has_role(self.role)


def current_user(context: ExecutionContext) -> Principal:
    """The caller ``ApiKeyGuard`` identified (for handlers behind it)."""
    user = context.user
    if not isinstance(user, Principal):
        raise UnauthorizedError("Authentication required", www_authenticate=CHALLENGE)
    return user
