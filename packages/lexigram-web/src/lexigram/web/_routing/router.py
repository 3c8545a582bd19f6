"""The path router: static paths in a dict, parameterised paths in a segment trie.

Lookup cost depends on the depth of the path, never on the number of routes: a static path is one
dict lookup, a parameterised one walks one trie node per segment (a dict lookup for literal
segments, then the few typed candidates registered at that node). Parameter names live on the
leaves, so routes sharing a prefix may name their parameters differently.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from .._declare.errors import ConfigurationError
from ._converters import Converter
from .path_template import PathTemplate, parse_template

__all__ = ["RouteConflictError", "Router"]

E = TypeVar("E")


class RouteConflictError(ConfigurationError):
    """Two routes answer the same method and path shape (raised at startup; a
    ``ConfigurationError``, so one ``except`` catches every startup problem)."""


class _Node(Generic[E]):
    __slots__ = ("catchall", "leaf", "params", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node[E]] = {}
        self.params: list[tuple[Converter, _Node[E]]] = []
        self.catchall: _Node[E] | None = None
        self.leaf: dict[str, tuple[E, tuple[str, ...]]] | None = None


class Router(Generic[E]):
    """Maps ``(method, path)`` to an endpoint of type ``E`` plus converted path parameters.

    ``lookup`` answers ``(endpoint, params, allowed)``: the endpoint (``None`` when no route
    matches the method), the converted parameters, and the methods the path does accept (empty
    when the path itself is unknown: a 404; non-empty with no endpoint: a 405). A path with a
    trailing slash that matches nothing is looked up again without it.
    """

    __slots__ = ("_root", "_shapes", "_static", "fail_on_conflict")

    def __init__(self, *, fail_on_conflict: bool = True) -> None:
        self.fail_on_conflict = fail_on_conflict
        self._static: dict[str, dict[str, E]] = {}
        self._root: _Node[E] = _Node()
        self._shapes: dict[tuple[str, str], str] = {}

    @property
    def static_routes(self) -> dict[str, dict[str, E]]:
        """The static table (path -> method -> endpoint); read it, do not mutate it."""
        return self._static

    def add(self, method: str, path: str | PathTemplate, endpoint: E) -> PathTemplate:
        """Register ``endpoint`` for ``method`` on ``path``; detect conflicting duplicates."""
        template = parse_template(path) if isinstance(path, str) else path
        method = method.upper()
        key = (method, template.shape)
        previous = self._shapes.get(key)
        if previous is not None and self.fail_on_conflict:
            raise RouteConflictError(
                f"duplicate route {method} {template.path!r} (already registered as {previous!r});"
                " remove one, or set fail_on_route_conflict=False to let the last one win"
            )
        self._shapes[key] = template.path
        if template.is_static:
            self._static.setdefault(template.path, {})[method] = endpoint
            return template
        node = self._root
        for seg in template.segments:
            if isinstance(seg, str):
                node = node.static.setdefault(seg, _Node())
            elif seg.converter.name == "path":
                if node.catchall is None:
                    node.catchall = _Node()
                node = node.catchall
            else:
                node = _param_child(node, seg.converter)
        if node.leaf is None:
            node.leaf = {}
        node.leaf[method] = (endpoint, template.param_names)
        return template

    def match(self, method: str, path: str) -> tuple[E, dict[str, Any]] | None:
        """The endpoint and parameters for a path ``lookup`` would find without backtracking
        (a static path, or an ASCII trie path taking a literal segment first, else the first
        converter accepting it); ``None`` otherwise: ``lookup`` then decides (backtracking,
        catch-alls, a trailing slash, 404/405; a dispatcher checks a path that is not ASCII
        is valid UTF-8 first)."""
        methods = self._static.get(path)
        if methods is not None:
            endpoint = methods.get(method)
            if endpoint is not None:
                return endpoint, {}
        if not path.isascii():
            return None
        return _first_match(self._root, path[1:].split("/"), method)

    def lookup(self, method: str, path: str) -> tuple[E | None, dict[str, Any], tuple[str, ...]]:
        methods = self._static.get(path)
        if methods is not None:
            endpoint = methods.get(method)
            if endpoint is not None:
                return endpoint, {}, ()
        segments = path[1:].split("/")
        hit = _first_match(self._root, segments, method)
        if hit is not None:
            return hit[0], hit[1], ()
        values: list[Any] = []
        allowed: list[str] = []
        found = _walk(self._root, segments, 0, method, values, allowed)
        if found is not None:
            return found[0], dict(zip(found[1], values, strict=True)), ()
        if methods is not None:
            allowed.extend(methods)
        if not allowed and len(path) > 1 and path.endswith("/"):
            # "/users/" answers like "/users" (checked only once the exact path missed).
            return self.lookup(method, path[:-1])
        return None, {}, tuple(sorted(set(allowed)))


def _param_child(node: _Node[E], converter: Converter) -> _Node[E]:
    for conv, child in node.params:
        if conv.name == converter.name:
            return child
    child = _Node[E]()
    node.params.append((converter, child))
    node.params.sort(key=lambda item: item[0].priority)
    return child


def _first_match(
    root: _Node[E], segments: list[str], method: str
) -> tuple[E, dict[str, Any]] | None:
    """The match ``_walk`` finds first, when it lies on the path taken without backtracking
    (a literal segment first, else the first converter accepting it): a loop, no recursion
    and no lists. ``None`` when that path does not end on a route for ``method``; the full
    walk then backtracks, tries catch-alls and collects the allowed methods."""
    node = root
    values: tuple[Any, ...] = ()
    for segment in segments:
        child = node.static.get(segment)
        if child is None:
            for conv, candidate in node.params:
                value = conv.convert(segment)
                if value is not None:
                    values = (*values, value)
                    child = candidate
                    break
            else:
                return None
        node = child
    leaf = node.leaf
    if leaf is None:
        return None
    hit = leaf.get(method)
    if hit is None:
        return None
    endpoint, names = hit
    return endpoint, dict(zip(names, values, strict=True))


def _walk(
    node: _Node[E],
    segments: list[str],
    index: int,
    method: str,
    values: list[Any],
    allowed: list[str],
) -> tuple[E, tuple[str, ...]] | None:
    if index == len(segments):
        leaf = node.leaf
        if leaf is None:
            return None
        hit = leaf.get(method)
        if hit is None:
            allowed.extend(leaf)
        return hit
    segment = segments[index]
    child = node.static.get(segment)
    if child is not None:
        found = _walk(child, segments, index + 1, method, values, allowed)
        if found is not None:
            return found
    for conv, child in node.params:
        value = conv.convert(segment)
        if value is None:
            continue
        values.append(value)
        found = _walk(child, segments, index + 1, method, values, allowed)
        if found is not None:
            return found
        values.pop()
    catchall = node.catchall
    if catchall is not None and catchall.leaf is not None:
        hit = catchall.leaf.get(method)
        if hit is not None:
            values.append("/".join(segments[index:]))
            return hit
        allowed.extend(catchall.leaf)
    return None
