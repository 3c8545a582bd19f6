"""Every package's README (its page on the package index) has a runnable example: each
```python block runs on its own, in a fresh interpreter, with warnings as errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READMES = sorted(ROOT.glob("packages/*/README.md"))
PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
BLOCK_TIMEOUT = 60


def python_blocks(markdown: str) -> list[tuple[int, str]]:
    """(line number of the opening fence, code) of every ```python block."""
    return [
        (markdown.count("\n", 0, match.start()) + 1, match.group(1))
        for match in PYTHON_BLOCK.finditer(markdown)
    ]


def run_block(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("readme", READMES, ids=[r.parent.name for r in READMES])
def test_every_python_block_in_the_readme_runs(readme: Path, tmp_path: Path) -> None:
    where = readme.relative_to(ROOT)
    blocks = python_blocks(readme.read_text())
    assert blocks, (
        f"{where} has no ```python example: add one that a user can paste and run "
        "(self-contained; async code via asyncio.run in the block)"
    )
    failures = []
    for number, (line, code) in enumerate(blocks, start=1):
        result = run_block(code, tmp_path)
        if result.returncode != 0:
            failures.append(
                f"{where}: python block {number} (line {line}) failed:\n{result.stderr}"
            )
    assert failures == [], "\n".join(failures)


def test_blocks_are_found_with_their_line_numbers() -> None:
    markdown = "# t\n\n```python\nx = 1\n```\n\n```\nnot python\n```\n\n```python\ny = 2\n```\n"
    assert python_blocks(markdown) == [(3, "x = 1\n"), (11, "y = 2\n")]


def test_a_failing_block_reports_its_error(tmp_path: Path) -> None:
    result = run_block("raise SystemExit('boom')", tmp_path)
    assert (result.returncode, result.stderr.strip()) == (1, "boom")


def test_a_block_that_warns_fails(tmp_path: Path) -> None:
    result = run_block("import warnings\nwarnings.warn('old', DeprecationWarning)", tmp_path)
    assert result.returncode == 1
    assert "DeprecationWarning: old" in result.stderr
