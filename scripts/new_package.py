"""Create a new workspace package from ``templates/package``:
``python scripts/new_package.py cache`` (or ``uv run nox -s new_package -- cache``, which
also runs ``uv lock``) creates ``packages/lexigram-cache`` importable as ``lexigram.cache``.

Every template file ends in ``.tmpl`` (so linters and pytest leave the templates alone); the
suffix is dropped, ``__module__`` in a path becomes the module name, and ``{{name}}``,
``{{module}}``, ``{{version}}`` and ``{{description}}`` in a file are filled in. The new
``src`` folder is appended to ``mypy_path`` in the workspace's ``pyproject.toml`` (mypy names
modules after those folders: ``lexigram.cache``, not ``cache``).
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "package"
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
MYPY_PATH = re.compile(r'^(mypy_path = ")([^"]*)(")$', re.MULTILINE)


def render(template: Path, target: Path, values: dict[str, str]) -> list[Path]:
    """Copy ``template`` into the new folder ``target``, filling in ``values``."""

    def fill(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise ValueError(f"unknown placeholder {match.group(0)} in {template}")
        return values[match.group(1)]

    written: list[Path] = []
    for source in sorted(template.rglob("*.tmpl")):
        relative = source.relative_to(template).with_suffix("")
        path = target / Path(
            *(values["module"] if p == "__module__" else p for p in relative.parts)
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PLACEHOLDER.sub(fill, source.read_text()))
        written.append(path)
    return written


def with_mypy_path(pyproject_text: str, package: str) -> str:
    """The root pyproject.toml with ``packages/<package>/src`` appended to ``mypy_path``."""
    entry = f"$MYPY_CONFIG_FILE_DIR/packages/{package}/src"
    match = MYPY_PATH.search(pyproject_text)
    if match is None:
        raise ValueError('the workspace pyproject.toml has no `mypy_path = "..."` line')
    if entry in match.group(2).split(":"):
        return pyproject_text
    paths = f"{match.group(2)}:{entry}" if match.group(2) else entry
    new_line = match.group(1) + paths + match.group(3)
    return pyproject_text[: match.start()] + new_line + pyproject_text[match.end() :]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="e.g. `cache` or `lexigram-cache`: lowercase, hyphens")
    parser.add_argument("--description", help="one line for the package index")
    parser.add_argument(
        "--workspace", type=Path, default=ROOT, help="the workspace root (default: this one)"
    )
    args = parser.parse_args(argv)
    packages_dir = args.workspace / "packages"
    short = args.name.removeprefix("lexigram-")
    module = short.replace("-", "_")
    if not NAME.match(short) or keyword.iskeyword(module):
        print(
            f"{args.name!r} is not a usable name: use lowercase letters, digits and single "
            "hyphens, starting with a letter (e.g. `cache` or `task-queue`)",
            file=sys.stderr,
        )
        return 2
    name = f"lexigram-{short}"
    target = packages_dir / name
    taken = {p.name.removeprefix("lexigram-").replace("-", "_") for p in packages_dir.glob("*")}
    if target.exists() or module in taken:
        print(
            f"{target} (module lexigram.{module}) already exists: pick another name",
            file=sys.stderr,
        )
        return 1
    root_pyproject = args.workspace / "pyproject.toml"
    root_text = root_pyproject.read_text()
    version = tomllib.loads(root_text)["project"]["version"]
    try:
        root_text = with_mypy_path(root_text, name)
    except ValueError as exc:
        print(f"{root_pyproject}: {exc}", file=sys.stderr)
        return 1
    description = args.description or f"The lexigram.{module} package of the Lexigram framework."
    values = {"name": name, "module": module, "version": version, "description": description}
    for path in render(TEMPLATE, target, values):
        print(f"created {path}")
    root_pyproject.write_text(root_text)
    print(f"{root_pyproject}: added packages/{name}/src to mypy_path")
    print(
        f"next: `uv lock`, then `uv run nox -s \"tests(package='{name}')\"`; a sibling that "
        f"depends on it adds `{name}>={version}` and `{name} = {{ workspace = true }}` under "
        "[tool.uv.sources] in its own pyproject.toml"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
