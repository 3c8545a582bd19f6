"""Layout guard run by ``nox -s lint``.

- ``packages/*/src/lexigram/`` is a PEP 420 namespace: no ``__init__.py``, no ``py.typed``;
- every package ships ``py.typed`` and a literal ``__all__`` (its order is ruff's RUF022);
- every package's ``src`` is on the root ``mypy_path``;
- all packages carry the one workspace version (the root ``pyproject.toml``'s), and a package
  that requires a sibling requires at least that version (siblings are only ever tested
  together at the workspace version, so a lower bound below it is untested).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    problems: list[str] = []
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    version = root["project"]["version"]
    mypy_path = root["tool"]["mypy"].get("mypy_path", "").split(":")
    pyprojects = sorted((ROOT / "packages").glob("*/pyproject.toml"))
    projects = [tomllib.loads(path.read_text())["project"] for path in pyprojects]
    workspace = {project["name"] for project in projects}
    for pyproject, project in zip(pyprojects, projects, strict=True):
        pkg = pyproject.parent
        if project["version"] != version:
            problems.append(
                f"{pkg.name}: version {project['version']} differs from the workspace's {version}; "
                "run `python scripts/bump_version.py <version>`"
            )
        problems += _sibling_bounds(project, workspace, version)
        if f"$MYPY_CONFIG_FILE_DIR/packages/{pkg.name}/src" not in mypy_path:
            problems.append(
                f"{pkg.name}: add $MYPY_CONFIG_FILE_DIR/packages/{pkg.name}/src to mypy_path in "
                "the root pyproject.toml (mypy names modules after it: lexigram.x, not x)"
            )
        namespace = pkg / "src" / "lexigram"
        for forbidden in ("__init__.py", "py.typed"):
            if (namespace / forbidden).exists():
                problems.append(
                    f"{namespace / forbidden}: src/lexigram is a PEP 420 namespace shared by "
                    "all packages; delete this file"
                )
        modules = [p for p in namespace.iterdir() if p.is_dir() and p.name != "__pycache__"]
        for module in modules:
            if not (module / "py.typed").exists():
                problems.append(f"{module}: add an empty py.typed")
            init = module / "__init__.py"
            if not init.exists():
                problems.append(f"{module}: add an __init__.py with a sorted __all__")
                continue
            names = _all_of(init)
            if names is None:
                problems.append(f"{init}: define __all__ as a literal list")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _sibling_bounds(project: dict[str, Any], names: set[str], version: str) -> list[str]:
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    problems = []
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9._-]+)\s*(\[[^\]]*\])?\s*([^;]*)", requirement)
        if match is None or match.group(1) not in names - {project["name"]}:
            continue
        if match.group(3).replace(" ", "") != f">={version}":
            wanted = f"{match.group(1)}{match.group(2) or ''}>={version}"
            problems.append(
                f"{project['name']}: requires {requirement!r}; write {wanted!r}: siblings are "
                "tested together at the workspace version only (bump_version.py keeps it in step)"
            )
    return problems


def _all_of(init: Path) -> list[str] | None:
    for node in ast.parse(init.read_text()).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            if isinstance(value, ast.List | ast.Tuple):
                return [
                    e.value
                    for e in value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
            return None
    return None


if __name__ == "__main__":
    raise SystemExit(main())
