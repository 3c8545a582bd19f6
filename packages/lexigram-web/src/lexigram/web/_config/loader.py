"""Build a ``WebConfig`` from ``application.yaml``, a profile file, the environment and keywords.

Layers, weakest first: ``application.yaml``, ``application-<profile>.yaml``, environment
variables ``LEXIGRAM_WEB__<KEY>[__<SUBKEY>]``, keyword arguments. Mappings merge key by key;
any other value replaces the weaker one. String values in the files may use ``${VAR}`` or
``${VAR:default}`` (``$${`` writes a literal ``${``). Every error names the key and where it
came from.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from .legacy import MOVED_KEYS
from .web_config import WebConfig, WebConfigError

ENV_PREFIX = "LEXIGRAM_WEB__"
PROFILE_ENV = "LEXIGRAM_PROFILE"
CONFIG_ENV = "LEXIGRAM_CONFIG"
SECTION = "web"

_PRODUCTION_PROFILES = frozenset({"prod", "production"})
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_PLACEHOLDER = re.compile(r"\$(\$?)\{([^}]*)\}")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_Path = tuple[str, ...]


def load_web_config(
    config_dir: str | os.PathLike[str] | None = None,
    *,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> WebConfig:
    """Load the ``web`` section of ``application.yaml`` (+ profile file) into a ``WebConfig``.

    ``config_dir`` is the directory holding ``application.yaml``, or the path of the file
    itself (any name: its profile files are ``<name>-<profile>.yaml`` next to it); it
    defaults to ``$LEXIGRAM_CONFIG`` (which ``lexigram run --config`` sets), else the
    working directory. ``profile`` defaults to
    ``$LEXIGRAM_PROFILE``; ``environ`` defaults to ``os.environ``. A missing
    ``application.yaml`` is fine (defaults apply); a selected profile whose file is
    missing is an error. The profiles ``prod`` and ``production`` set ``production`` and
    run ``WebConfig.validate_production_security()``.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    if config_dir is None:
        config_dir = env.get(CONFIG_ENV) or Path.cwd()
    base = Path(config_dir)
    if base.suffix not in (".yaml", ".yml"):
        base = base / "application.yaml"
    elif not base.is_file():
        raise WebConfigError(
            f"the configuration file {base} does not exist (given as config_dir or by "
            f"${CONFIG_ENV}); fix the path"
        )
    directory = base.parent
    if profile is None:
        profile = env.get(PROFILE_ENV) or None
    merged: dict[str, Any] = {}
    origins: dict[_Path, str] = {}

    if base.is_file():
        _merge(merged, origins, _read_section(base, env), (), str(base))
    if profile is not None:
        if not _PROFILE_NAME.fullmatch(profile):
            raise WebConfigError(
                f"profile {profile!r} is not a valid profile name; use letters, digits, '.', "
                "'_' or '-' (set by the profile argument or $LEXIGRAM_PROFILE)"
            )
        profile_file = directory / f"{base.stem}-{profile}{base.suffix}"
        if not profile_file.is_file():
            raise WebConfigError(
                f"profile {profile!r} is selected but {profile_file} does not exist; create it "
                f"or unset {PROFILE_ENV}"
            )
        _merge(merged, origins, _read_section(profile_file, env), (), str(profile_file))
    for name, path, value in _environment_overrides(env):
        _merge(merged, origins, _nest(path, value), (), f"environment variable {name}")
    for key, value in overrides.items():
        _merge(merged, origins, {key: value}, (), f"keyword argument {key!r}")

    production = profile is not None and profile.lower() in _PRODUCTION_PROFILES
    if production:
        _merge(merged, origins, {"production": True}, (), f"profile {profile!r}")
    try:
        config = WebConfig.model_validate(merged)
    except ValidationError as exc:
        raise WebConfigError(_describe(exc, origins)) from None
    if production:
        config.validate_production_security()
    return config


def _read_section(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    yaml = _import_yaml(path)
    try:
        document: object = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WebConfigError(f"{path}: not valid YAML: {exc}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise WebConfigError(f"{path}: the top level must be a mapping with a '{SECTION}' key")
    section: object = typing.cast("dict[object, object]", document).get(SECTION)
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise WebConfigError(f"{path}: '{SECTION}' must be a mapping of settings")
    settings = typing.cast("dict[object, object]", section)
    return typing.cast("dict[str, Any]", _interpolate(settings, (SECTION,), path, env))


class _YAMLModule(Protocol):
    YAMLError: type[Exception]

    def safe_load(self, stream: str) -> object: ...


def _import_yaml(path: Path) -> _YAMLModule:
    try:
        module = importlib.import_module("yaml")
    except ImportError:
        raise ImportError(
            f'reading {path} needs PyYAML: pip install "lexigram-web[yaml]"'
        ) from None
    return typing.cast("_YAMLModule", module)


def _interpolate(value: object, where: _Path, path: Path, env: Mapping[str, str]) -> object:
    if isinstance(value, str):
        return _substitute(value, where, path, env)
    if isinstance(value, dict):
        items = typing.cast("dict[object, object]", value).items()
        return {str(k): _interpolate(v, (*where, str(k)), path, env) for k, v in items}
    if isinstance(value, list):
        entries = typing.cast("list[object]", value)
        return [_interpolate(v, (*where, str(i)), path, env) for i, v in enumerate(entries)]
    return value


def _substitute(text: str, where: _Path, path: Path, env: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        name, has_default, default = match.group(2).partition(":")
        if not _VAR_NAME.fullmatch(name):
            raise WebConfigError(
                f"{path}: {'.'.join(where)}: {match.group(0)!r} is not a placeholder; write "
                "${NAME} or ${NAME:default} (or $${ for a literal '${')"
            )
        found = env.get(name)
        if found is not None:
            return found
        if has_default:
            return default
        raise WebConfigError(
            f"{path}: {'.'.join(where)}: environment variable {name} is not set and "
            f"${{{name}}} has no default; set {name} or write ${{{name}:default}}"
        )

    return _PLACEHOLDER.sub(replace, text)


def _environment_overrides(env: Mapping[str, str]) -> list[tuple[str, _Path, object]]:
    found: list[tuple[str, _Path, object]] = []
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX):
            continue
        path = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
        if not all(path):
            raise WebConfigError(
                f"environment variable {name}: empty key part; write {ENV_PREFIX}KEY or "
                f"{ENV_PREFIX}SECTION__KEY"
            )
        found.append((name, path, _parse_env_value(name, path, env[name])))
    return found


def _parse_env_value(name: str, path: _Path, raw: str) -> object:
    stripped = raw.strip()
    if stripped.startswith(("[", "{")):
        try:
            return typing.cast("object", json.loads(stripped))
        except json.JSONDecodeError as exc:
            raise WebConfigError(f"environment variable {name}: not valid JSON: {exc}") from None
    if _is_sequence_field(path):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def _is_sequence_field(path: _Path) -> bool:
    model: type[BaseModel] = WebConfig
    for index, key in enumerate(path):
        field = model.model_fields.get(key)
        if field is None:
            return False
        annotation = field.annotation
        if index == len(path) - 1:
            return _is_tuple(annotation)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return False
        model = annotation
    return False


def _is_tuple(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_tuple(arg) for arg in typing.get_args(annotation))
    return origin is tuple


def _nest(path: _Path, value: object) -> dict[str, Any]:
    nested: dict[str, Any] = {path[-1]: value}
    for key in reversed(path[:-1]):
        nested = {key: nested}
    return nested


def _merge(
    into: dict[str, Any],
    origins: dict[_Path, str],
    layer: Mapping[str, Any],
    where: _Path,
    source: str,
) -> None:
    for key, value in layer.items():
        path = (*where, key)
        origins[path] = source
        current = into.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            mapping = typing.cast("Mapping[str, Any]", value)
            _merge(typing.cast("dict[str, Any]", current), origins, mapping, path, source)
        elif isinstance(value, Mapping):
            copy: dict[str, Any] = {}
            _merge(copy, origins, typing.cast("Mapping[str, Any]", value), path, source)
            into[key] = copy
        else:
            into[key] = value


def _describe(exc: ValidationError, origins: Mapping[_Path, str]) -> str:
    lines: list[str] = []
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        if not loc:  # a key refused by the model as a whole: name it like any other key
            loc = next(((k,) for k in MOVED_KEYS if f"web.{k} " in error["msg"]), ())
        source = _origin(loc, origins)
        key = ".".join((SECTION, *loc))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown key; valid keys here: {', '.join(_keys_at(loc[:-1]))}"
        elif error["type"] != "value_error" and not isinstance(error["input"], dict | list):
            message = f"{message} (got {error['input']!r})"
        lines.append(f"- {key}: {message} [{source}]")
    return "invalid web configuration:\n" + "\n".join(lines)


def _origin(loc: _Path, origins: Mapping[_Path, str]) -> str:
    for end in range(len(loc), 0, -1):
        found = origins.get(loc[:end])
        if found is not None:
            return found
    return "defaults"


def _keys_at(loc: _Path) -> list[str]:
    model: type[BaseModel] = WebConfig
    for key in loc:
        annotation = model.model_fields[key].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)
