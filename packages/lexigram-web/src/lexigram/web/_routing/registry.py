"""``RouteRegistry``: the app's routes, for introspection (``lexigram routes``) and ``url_for``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from starlette.datastructures import URLPath

from .._http.context import RouteInfo
from .controllers import ControllerRegistry
from .path_template import PathTemplate

__all__ = ["RouteRegistry"]


class RouteRegistry:
    """Every route of one app: method, path, name, handler, guards, interceptors.

    Filled at startup; read it (``routes``, ``get_all_routes()``, ``find_route()``) to list or
    inspect routes, or call ``url_for(name, **params)`` to build a path.
    """

    def __init__(self, *, controller_registry: ControllerRegistry | None = None) -> None:
        self._routes: list[RouteInfo] = []
        self._names: dict[str, tuple[RouteInfo, PathTemplate]] = {}
        self._controllers: list[type] = []
        self._matcher: Callable[[str, str], RouteInfo | None] | None = None
        self._controller_registry = controller_registry

    def register_controller(
        self, controller_cls: type, controller_registry: ControllerRegistry | None = None
    ) -> None:
        """Have the app serve ``controller_cls``.

        It is registered in ``controller_registry`` (default: the app's), and its routes
        appear here when the app starts."""
        if self._matcher is not None:
            raise RuntimeError(
                f"cannot register {controller_cls.__qualname__}: the app has started and its "
                "routes are compiled; register controllers before the app starts"
            )
        target = (
            controller_registry if controller_registry is not None else self._controller_registry
        )
        if target is None:
            raise TypeError(
                "this RouteRegistry belongs to no app: pass controller_registry=, or use "
                "app.routes.register_controller(...) / register_controller(cls, app)"
            )
        target.register(controller_cls)

    # -- filling (startup) -------------------------------------------------------------------
    def add(self, info: RouteInfo, template: PathTemplate, *, explicit_name: bool) -> None:
        self._routes.append(info)
        if info.controller_class is not None and info.controller_class not in self._controllers:
            self._controllers.append(info.controller_class)
        existing = self._names.get(info.name)
        if existing is None:
            self._names[info.name] = (info, template)
        elif explicit_name and existing[0].path != info.path:
            raise ValueError(
                f"route name {info.name!r} is used by {existing[0].method} {existing[0].path}"
                f" and {info.method} {info.path}; give one of them another name="
            )

    def set_matcher(self, matcher: Callable[[str, str], RouteInfo | None]) -> None:
        self._matcher = matcher

    def clear(self) -> None:
        self._routes.clear()
        self._names.clear()
        self._controllers.clear()
        self._matcher = None

    # -- reading -----------------------------------------------------------------------------
    @property
    def routes(self) -> list[RouteInfo]:
        return list(self._routes)

    def __iter__(self) -> Iterator[RouteInfo]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def get_all_routes(self) -> dict[str, dict[str, Any]]:
        """``{"GET /users/{id:int}": {...}}`` for every route."""
        return {f"{r.method} {r.path}": r.as_dict() for r in self._routes}

    def get_controllers(self) -> list[type]:
        return list(self._controllers)

    def get_routes_by_controller(self, controller_cls: type) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self._routes if r.controller_class is controller_cls]

    def get_route_by_name(self, name: str) -> RouteInfo | None:
        found = self._names.get(name)
        return found[0] if found else None

    def find_route(self, path: str, method: str) -> dict[str, Any] | None:
        """The route answering ``method`` on a concrete ``path`` (as the router matches it)."""
        if self._matcher is None:
            return None
        info = self._matcher(method.upper(), path)
        return info.as_dict() if info is not None else None

    def url_for(self, name: str, /, **params: Any) -> str:
        """The path of route ``name`` with ``params`` filled in (``KeyError`` if unknown)."""
        found = self._names.get(name)
        if found is None:
            raise KeyError(f"no route named {name!r}; known names: {sorted(self._names)}")
        return found[1].format(params)

    def url_path_for(self, name: str, /, **params: Any) -> URLPath:
        """``url_for`` as a Starlette ``URLPath`` (what ``request.url_for`` uses)."""
        return URLPath(self.url_for(name, **params))
