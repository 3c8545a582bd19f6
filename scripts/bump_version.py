"""Set one version on the root and every package: ``python scripts/bump_version.py 0.2.0``
(or ``uv run nox -s bump -- 0.2.0``, which also runs ``uv lock``).

- ``version = "..."`` in the root ``pyproject.toml`` and every ``packages/*/pyproject.toml``;
- every requirement of one workspace package on another (``lexigram-di>=0.1.0``) gets the new
  version as its lower bound: siblings are released and tested together at one version;
- ``CHANGELOG.md``: the ``## Unreleased`` section becomes ``## <version> - <date>`` and a new,
  empty ``## Unreleased`` section opens above it. It refuses to release an empty section.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_LINE = re.compile(r'^version = "[^"]+"$', re.MULTILINE)
PEP440 = re.compile(r"^\d+(\.\d+){1,2}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")
UNRELEASED = re.compile(r"^## Unreleased[ \t]*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def sibling_bound(names: set[str]) -> re.Pattern[str]:
    """``"lexigram-di>=0.1.0"`` or ``"lexigram-ratelimit[di]>=0.1.0"`` for a workspace name."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf'(["\'](?:{alternatives})(?:\[[^\]]*\])?\s*>=\s*)([^"\',;\s]+)')


def bump_pyproject(path: Path, version: str, siblings: re.Pattern[str] | None) -> str:
    text = path.read_text()
    new, count = VERSION_LINE.subn(f'version = "{version}"', text, count=1)
    if count != 1:
        raise ValueError(f"{path}: no top-level `version = ...` line found")
    if siblings is not None:
        new = siblings.sub(lambda m: m.group(1) + version, new)
    return new


def bump_changelog(text: str, version: str, date: str) -> str:
    match = UNRELEASED.search(text)
    if match is None:
        raise ValueError("CHANGELOG.md has no `## Unreleased` section: add one with the changes")
    if not match.group(1).strip():
        raise ValueError(
            "CHANGELOG.md's `## Unreleased` section is empty: record the user-visible changes "
            "of this release there first"
        )
    released = f"## Unreleased\n\n## {version} - {date}\n{match.group(1)}"
    return text[: match.start()] + released + text[match.end() :]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="a PEP 440 version, e.g. 0.2.0")
    parser.add_argument("--root", type=Path, default=ROOT, help="the workspace (default: this one)")
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    args = parser.parse_args(argv)
    version, root = args.version, args.root
    if not PEP440.match(version):
        print(f"{version!r} is not a PEP 440 version such as 0.2.0", file=sys.stderr)
        return 2
    current = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    if version == current:
        print(f"the workspace is already at {version}", file=sys.stderr)
        return 1
    packages = sorted((root / "packages").glob("*/pyproject.toml"))
    names = {tomllib.loads(p.read_text())["project"]["name"] for p in packages}
    changelog = root / "CHANGELOG.md"
    try:
        updates = {root / "pyproject.toml": bump_pyproject(root / "pyproject.toml", version, None)}
        for path in packages:
            updates[path] = bump_pyproject(path, version, sibling_bound(names))
        if not changelog.is_file():
            raise ValueError(f"{changelog}: missing; it records the changes of every release")
        updates[changelog] = bump_changelog(changelog.read_text(), version, args.date)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    for path, text in updates.items():  # written only once every file is known to be bumpable
        path.write_text(text)
        print(f"{path.relative_to(root)}: {version}")
    print("now run `uv lock` (`uv run nox -s bump -- X.Y.Z` does) and commit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
