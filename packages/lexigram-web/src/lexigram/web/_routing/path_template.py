"""Parse route path templates such as ``/users/{id:int}/files/{rest:path}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ._converters import CONVERTERS, Converter

__all__ = ["ParamSegment", "PathTemplate", "join_paths", "parse_template"]


@dataclass(frozen=True, slots=True)
class ParamSegment:
    name: str
    converter: Converter


Segment = str | ParamSegment


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed template: its text, segments, parameter names and conflict key."""

    path: str
    segments: tuple[Segment, ...]
    param_names: tuple[str, ...]
    shape: str
    """Template with parameter names erased: two routes with one shape collide."""

    @property
    def is_static(self) -> bool:
        return not self.param_names

    @property
    def param_types(self) -> dict[str, type[Any]]:
        return {
            s.name: s.converter.python_type for s in self.segments if isinstance(s, ParamSegment)
        }

    def format(self, params: dict[str, Any]) -> str:
        """Build a concrete path from parameter values (the inverse of matching)."""
        missing = [name for name in self.param_names if name not in params]
        if missing:
            raise KeyError(f"missing path parameter(s) {missing} for route {self.path!r}")
        out: list[str] = []
        for seg in self.segments:
            if isinstance(seg, str):
                out.append(seg)
            else:
                text = seg.converter.to_string(params[seg.name])
                out.append(quote(text, safe="/" if seg.converter.name == "path" else ""))
        return "/" + "/".join(out)


def join_paths(prefix: str, path: str) -> str:
    """Join a controller prefix and a route path into one normalised template."""
    prefix = prefix.strip()
    path = path.strip()
    if prefix and not prefix.startswith("/"):
        prefix = "/" + prefix
    prefix = prefix.rstrip("/")
    if not path or path == "/":
        return prefix or "/"
    if not path.startswith("/"):
        path = "/" + path
    return prefix + path


def parse_template(path: str) -> PathTemplate:
    """Parse ``path``; raise ``ValueError`` (naming the fix) on any unsupported form."""
    if not path.startswith("/"):
        raise ValueError(f"route path {path!r} must start with '/'")
    raw = path[1:].split("/") if path != "/" else []
    segments: list[Segment] = []
    names: list[str] = []
    for index, part in enumerate(raw):
        if "{" not in part and "}" not in part:
            if not part and index != len(raw) - 1:
                raise ValueError(f"route path {path!r} contains an empty segment ('//')")
            segments.append(part)
            continue
        if not (part.startswith("{") and part.endswith("}")) or part.count("{") != 1:
            raise ValueError(
                f"route path {path!r}: a parameter must fill a whole segment, e.g."
                f" '/files/{{name}}' (got {part!r})"
            )
        name, _, kind = part[1:-1].partition(":")
        kind = kind or "str"
        if not name.isidentifier():
            raise ValueError(f"route path {path!r}: {name!r} is not a valid parameter name")
        if name in names:
            raise ValueError(f"route path {path!r}: parameter {name!r} appears twice")
        converter = CONVERTERS.get(kind)
        if converter is None:
            raise ValueError(
                f"route path {path!r}: unknown converter {kind!r}; use one of {sorted(CONVERTERS)}"
            )
        if kind == "path" and index != len(raw) - 1:
            raise ValueError(f"route path {path!r}: a {{name:path}} parameter must come last")
        names.append(name)
        segments.append(ParamSegment(name, converter))
    if not names:
        return PathTemplate(path, tuple(segments), (), path)
    shape = [s if isinstance(s, str) else "{:" + s.converter.name + "}" for s in segments]
    return PathTemplate(path, tuple(segments), tuple(names), "/" + "/".join(shape))
