"""``GET /_debug/routes``: the compiled route table, served only when ``debug_routes`` is on and
only behind ``debug_routes_auth``.

``debug_routes_auth`` is required (startup fails without it) and is one of:

- ``BearerTokenGuard(token)``: ``Authorization: Bearer <token>``;
- ``BasicAuthGuard(username, password)``: HTTP Basic credentials;
- any guard (an object or class with ``can_activate(context)``), resolved like other guards;
- a plain callable ``auth(context) -> bool`` (sync or async).

Missing or wrong credentials answer 401 problem+json with ``WWW-Authenticate`` (the two
built-in guards); a guard or callable answering ``False`` gives 403.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lexigram.http_errors import UnauthorizedError

from .._declare.decorators import route
from .._declare.errors import ConfigurationError
from .._declare.metadata import add_items

if TYPE_CHECKING:
    from .._http.context import RouteInfo
    from .registry import RouteRegistry

__all__ = ["DEBUG_ROUTES_PATH", "BasicAuthGuard", "BearerTokenGuard", "debug_route_functions"]

DEBUG_ROUTES_PATH = "/_debug/routes"


def _authorization(context: Any) -> str:
    headers = getattr(context, "headers", None)
    if headers is None:
        headers = context.request.headers
    value = headers.get("authorization")
    return value.strip() if isinstance(value, str) else ""


class BearerTokenGuard:
    """Admits requests carrying ``Authorization: Bearer <token>``.

    The token is compared in constant time; anything else is a 401 with
    ``WWW-Authenticate: Bearer``."""

    def __init__(self, token: str, *, realm: str = "lexigram-debug") -> None:
        if not token:
            raise ValueError("BearerTokenGuard needs a non-empty token")
        self._token = token.encode()
        self.realm = realm

    def can_activate(self, context: Any) -> bool:
        scheme, _, value = _authorization(context).partition(" ")
        challenge = f'Bearer realm="{self.realm}"'
        if scheme.lower() != "bearer" or not value.strip():
            raise UnauthorizedError("a bearer token is required", www_authenticate=challenge)
        if not hmac.compare_digest(value.strip().encode(), self._token):
            raise UnauthorizedError(
                "the bearer token is not valid",
                www_authenticate=f'{challenge}, error="invalid_token"',
            )
        return True

    __call__ = can_activate

    def __repr__(self) -> str:
        return f"BearerTokenGuard(realm={self.realm!r})"


class BasicAuthGuard:
    """Admits requests with HTTP Basic ``username``/``password``.

    The credentials are compared in constant time; anything else is a 401 with
    ``WWW-Authenticate: Basic``."""

    def __init__(self, username: str, password: str, *, realm: str = "lexigram-debug") -> None:
        if not username or not password:
            raise ValueError("BasicAuthGuard needs a non-empty username and password")
        self._expected = f"{username}:{password}".encode()
        self.realm = realm

    def can_activate(self, context: Any) -> bool:
        scheme, _, value = _authorization(context).partition(" ")
        challenge = f'Basic realm="{self.realm}", charset="UTF-8"'
        try:
            given = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            given = b""
        if scheme.lower() != "basic" or not given:
            raise UnauthorizedError("credentials are required", www_authenticate=challenge)
        if not hmac.compare_digest(given, self._expected):
            raise UnauthorizedError("the credentials are not valid", www_authenticate=challenge)
        return True

    __call__ = can_activate

    def __repr__(self) -> str:
        return f"BasicAuthGuard(realm={self.realm!r})"


class _CallableGuard:
    """A plain ``auth(context) -> bool`` used as a guard."""

    def __init__(self, check: Callable[..., Any]) -> None:
        self.check = check

    async def can_activate(self, context: Any) -> bool:
        answer = self.check(context)
        if inspect.isawaitable(answer):
            answer = await answer
        return bool(answer)


def _as_guard(auth: Any) -> Any:
    if callable(getattr(auth, "can_activate", None)):
        return auth
    if callable(auth):
        return _CallableGuard(auth)
    raise ConfigurationError(
        f"debug_routes_auth must be a guard (with can_activate) or a callable, got {auth!r};"
        " use BearerTokenGuard(token) or BasicAuthGuard(username, password)"
    )


def _describe(info: RouteInfo) -> dict[str, Any]:
    handler = info.handler
    return {
        "method": info.method,
        "path": info.path,
        "name": info.name,
        "handler": f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', '?')}",
        "controller": info.controller_class.__qualname__ if info.controller_class else None,
        "status_code": info.status_code,
        "version": info.version.as_dict() if info.version is not None else None,
        "guards": [_label(g) for g in info.guards],
        "interceptors": [_label(i) for i in info.interceptors],
        "throttled": info.throttled,
    }


def _label(item: Any) -> str:
    target = item if isinstance(item, type) else type(item)
    return target.__qualname__


def debug_route_functions(
    enabled: bool, auth: Any, get_registry: Callable[[], RouteRegistry]
) -> list[Callable[..., Any]]:
    """The debug route handlers to compile (none unless ``enabled``); ``ConfigurationError``
    naming the fix when enabled without ``auth``."""
    if not enabled:
        return []
    if auth is None:
        raise ConfigurationError(
            "debug_routes is on but debug_routes_auth is not set, which would make the route"
            " table public; set debug_routes_auth=BearerTokenGuard(token) (or"
            " BasicAuthGuard(user, password), or any guard), or turn debug_routes off"
        )
    guard = _as_guard(auth)

    async def debug_routes() -> dict[str, Any]:
        return {"routes": [_describe(info) for info in get_registry()]}

    route("GET", DEBUG_ROUTES_PATH, name="lexigram.debug_routes", include_in_schema=False)(
        debug_routes
    )
    add_items(debug_routes, "guards", (guard,))
    return [debug_routes]
