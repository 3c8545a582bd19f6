"""Set one version on the root and every package: ``python scripts/bump_version.py 0.2.0``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_LINE = re.compile(r'^version = "[^"]+"$', re.MULTILINE)
PEP440 = re.compile(r"^\d+(\.\d+){1,2}((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not PEP440.match(argv[1]):
        print("usage: python scripts/bump_version.py X.Y.Z  (a PEP 440 version)", file=sys.stderr)
        return 2
    version = argv[1]
    files = [ROOT / "pyproject.toml", *sorted((ROOT / "packages").glob("*/pyproject.toml"))]
    for path in files:
        text = path.read_text()
        new, count = VERSION_LINE.subn(f'version = "{version}"', text, count=1)
        if count != 1:
            print(f"{path}: no top-level version line found", file=sys.stderr)
            return 1
        path.write_text(new)
        print(f"{path.relative_to(ROOT)}: {version}")
    print("now run `uv lock` and add an entry to CHANGELOG.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
