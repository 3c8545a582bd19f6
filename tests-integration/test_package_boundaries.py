"""Each package imports only the siblings it declares (as a dependency or, inside an
optional submodule, as an extra)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

PACKAGES = Path(__file__).resolve().parent.parent / "packages"


def _declared(pyproject: Path) -> tuple[set[str], set[str]]:
    project = tomllib.loads(pyproject.read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~ ;]", r, maxsplit=1)[0] for r in requirements}

    extras: set[str] = set()
    for requirements in project.get("optional-dependencies", {}).values():
        extras |= names(requirements)
    return names(project.get("dependencies", [])), extras


def _imported_siblings(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "lexigram" and len(parts) > 1:
                found.add("lexigram-" + parts[1].replace("_", "-"))
    return found


def test_every_sibling_import_is_declared() -> None:
    problems: list[str] = []
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        own = pyproject.parent.name
        required, extras = _declared(pyproject)
        for source in (pyproject.parent / "src").rglob("*.py"):
            for sibling in _imported_siblings(source) - {own}:
                if sibling not in required | extras:
                    problems.append(f"{source}: imports {sibling}, which {own} does not declare")
    assert problems == []


def test_the_boundary_check_sees_sibling_imports() -> None:
    source = Path(__file__)
    assert _imported_siblings(source) == set()
    probe = PACKAGES.parent / "tests-integration" / "_probe_for_boundary_check.py"
    probe.write_text("from lexigram.web import x\nimport lexigram.result\n")
    try:
        assert _imported_siblings(probe) == {"lexigram-web", "lexigram-result"}
    finally:
        probe.unlink()
