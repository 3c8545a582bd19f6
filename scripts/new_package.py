"""Create a new workspace package from ``templates/package``:
``python scripts/new_package.py cache`` (or ``uv run nox -s new_package -- cache``, which
also runs ``uv lock``) creates ``packages/lexigram-cache`` importable as ``lexigram.cache``.

Every template file ends in ``.tmpl`` (so linters and pytest leave the templates alone); the
suffix is dropped, ``__module__`` in a path becomes the module name, and ``{{name}}``,
``{{module}}``, ``{{version}}`` and ``{{description}}`` in a file are filled in.
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="e.g. `cache` or `lexigram-cache`: lowercase, hyphens")
    parser.add_argument("--description", help="one line for the package index")
    parser.add_argument(
        "--packages-dir", type=Path, default=ROOT / "packages", help="default: packages/"
    )
    args = parser.parse_args(argv)
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
    target = args.packages_dir / name
    taken = {
        p.name.removeprefix("lexigram-").replace("-", "_") for p in args.packages_dir.glob("*")
    }
    if target.exists() or module in taken:
        print(
            f"{target} (module lexigram.{module}) already exists: pick another name",
            file=sys.stderr,
        )
        return 1
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    description = args.description or f"The lexigram.{module} package of the Lexigram framework."
    values = {"name": name, "module": module, "version": version, "description": description}
    for path in render(TEMPLATE, target, values):
        print(f"created {path}")
    print(
        f"next: `uv lock`, then `uv run nox -s \"tests(package='{name}')\"`; a sibling that "
        f"depends on it adds `{name}>={version}` and `{name} = {{ workspace = true }}` under "
        "[tool.uv.sources] in its own pyproject.toml"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
