"""``lexigram openapi APP [--yaml] [--output FILE]``: export an app's OpenAPI document."""

from __future__ import annotations

import argparse
import importlib
import json
import typing
from pathlib import Path
from typing import Any, Protocol

__all__ = ["YAML_INSTALL_HINT", "add_openapi_parser", "document_of", "render_document", "write"]

YAML_INSTALL_HINT = 'pip install "lexigram-web[yaml]"'


class _YAMLDumper(Protocol):
    def safe_dump(self, data: object, *, sort_keys: bool, allow_unicode: bool) -> str: ...


def add_openapi_parser(commands: Any) -> None:
    """Add the ``openapi`` subcommand to an ``argparse`` subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "openapi",
        help="print an application's OpenAPI document",
        description="Start APP, print its OpenAPI 3.1 document (JSON, or YAML with --yaml), "
        "and stop it. The document is exported even when serving it is disabled.",
    )
    parser.add_argument("app", metavar="APP", help="import string, e.g. package.module:app")
    parser.add_argument(
        "--yaml", action="store_true", help=f"YAML instead of JSON (needs {YAML_INSTALL_HINT})"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")


def document_of(app: object, spec: str) -> dict[str, Any]:
    """``app.openapi()``; ``TypeError`` naming ``spec`` when the app has no such method."""
    method = getattr(app, "openapi", None)
    if not callable(method):
        raise TypeError(
            f"{spec} has no OpenAPI document: expected an application with an openapi() method"
            " (a LexigramApp)"
        )
    document = method()
    if not isinstance(document, dict):
        raise TypeError(f"{spec}.openapi() returned {type(document).__name__}, not a dict")
    return typing.cast(dict[str, Any], document)


def render_document(document: dict[str, Any], *, as_yaml: bool) -> str:
    """The document as indented JSON, or YAML (``ImportError`` with the install hint when
    PyYAML is missing)."""
    if not as_yaml:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        yaml = typing.cast(_YAMLDumper, importlib.import_module("yaml"))
    except ImportError:
        raise ImportError(f"--yaml needs PyYAML: {YAML_INSTALL_HINT}") from None
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def write(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` (a path) or stdout."""
    if output is None:
        print(text, end="")
    else:
        Path(output).write_text(text, encoding="utf-8")
