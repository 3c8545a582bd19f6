"""Every ```python block of the documentation (docs/**/*.md) runs and its asserts hold.

Each block runs on its own, in a fresh module namespace, with warnings as errors (pytest's
``filterwarnings = error``). Web examples run their app through
``lexigram.web.testing.TestClient`` inside the block, so they show and check the behaviour.
A block whose fence carries the ``.notest`` class (```` ```python { .notest title="..." } ````)
is shown but not run: keep those rare (code for another framework, a command that serves
forever). A failure names the file, the block's index and its line, and the traceback points
at the line in the Markdown file.
"""

from __future__ import annotations

import re
import sys
import textwrap
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^`\n]*)$")
NOT_RUN = re.compile(r"\{[^}]*\.notest\b[^}]*\}")
MAX_NOT_RUN_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced ```python block: where it is and what it holds."""

    path: str
    index: int
    line: int
    code: str
    runs: bool

    @property
    def label(self) -> str:
        return f"{self.path} block {self.index} (line {self.line})"


def python_blocks(markdown: str, path: str) -> list[Block]:
    """The ```python blocks of ``markdown`` (indented ones in tabs and admonitions too),
    numbered from 1, each with the line of its opening fence."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    number = 0
    position = 0
    while position < len(lines):
        opening = FENCE.match(lines[position])
        if opening is None:
            position += 1
            continue
        indent, info = opening["indent"], opening["info"].strip()
        closing = position + 1
        while closing < len(lines) and lines[closing].rstrip() != indent + "```":
            closing += 1
        language = info.split("{", 1)[0].strip()
        if language == "python" or (not language and re.search(r"\.python\b", info)):
            number += 1
            body = textwrap.dedent("\n".join(lines[position + 1 : closing]))
            runs = NOT_RUN.search(info) is None
            blocks.append(Block(path, number, position + 1, body + "\n", runs))
        position = closing + 1
    return blocks


def doc_blocks() -> list[Block]:
    found: list[Block] = []
    for page in sorted(DOCS.rglob("*.md")):
        found.extend(
            python_blocks(page.read_text(encoding="utf-8"), page.relative_to(ROOT).as_posix())
        )
    return found


BLOCKS = doc_blocks()
RUNNABLE = [block for block in BLOCKS if block.runs]


def run_block(block: Block) -> None:
    """Execute ``block`` as a fresh module registered in ``sys.modules`` (so dataclasses,
    pydantic models and type hints defined in it resolve as they would in a file)."""
    name = f"docs_example_{block.index}_{abs(hash(block.label))}"
    module = types.ModuleType(name)
    module.__file__ = str(ROOT / block.path)
    # Leading newlines keep the traceback's line numbers equal to the Markdown file's.
    code = compile("\n" * block.line + block.code, str(ROOT / block.path), "exec")
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    finally:
        del sys.modules[name]


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.label for b in RUNNABLE])
def test_documentation_example_runs(block: Block) -> None:
    try:
        run_block(block)
    except Exception as exc:
        page = str(ROOT / block.path)
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == page]
        where = f" at line {lines[-1]}" if lines else ""
        raise AssertionError(f"{block.label} failed{where}: {type(exc).__name__}: {exc}") from exc


def test_the_documentation_has_runnable_examples() -> None:
    assert len(RUNNABLE) >= 20, "docs/ should show (and so test) working code"


def test_every_package_has_an_api_reference_page() -> None:
    missing = []
    for package in sorted((ROOT / "packages").glob("lexigram-*")):
        name = package.name.removeprefix("lexigram-")
        page = DOCS / "reference" / f"{name}.md"
        directive = "::: lexigram." + name.replace("-", "_") + "\n"
        if not page.is_file() or directive not in page.read_text(encoding="utf-8"):
            missing.append(f"{page.relative_to(ROOT)} with {directive.strip()!r}")
    assert missing == [], f"add the API reference pages (and list them in mkdocs.yml): {missing}"


def test_examples_that_do_not_run_are_rare() -> None:
    skipped = [block.label for block in BLOCKS if not block.runs]
    assert len(skipped) <= MAX_NOT_RUN_SHARE * len(BLOCKS), skipped


def test_blocks_are_found_with_index_line_and_marker() -> None:
    markdown = (
        "# t\n\n```python\nx = 1\n```\n\n```bash\necho\n```\n\n"
        '=== "Tab"\n\n    ```python { .notest title="a.py" }\n    y = 2\n    ```\n'
    )
    assert python_blocks(markdown, "p.md") == [
        Block("p.md", 1, 3, "x = 1\n", runs=True),
        Block("p.md", 2, 13, "y = 2\n", runs=False),
    ]


def test_a_failing_block_names_its_file_and_line() -> None:
    block = Block("docs/page.md", 3, 10, "x = 1\nassert x == 2\n", runs=True)
    with pytest.raises(AssertionError) as info:
        run_block(block)
    frame = info.traceback[-1]
    assert (Path(str(frame.path)).name, frame.lineno + 1) == ("page.md", 12)


def test_blocks_define_real_modules() -> None:
    code = (
        "import dataclasses\n@dataclasses.dataclass\nclass P:\n    x: 'int'\nassert P(1).x == 1\n"
    )
    run_block(Block("docs/page.md", 1, 1, code, runs=True))


def test_a_block_that_warns_fails() -> None:
    block = Block(
        "docs/page.md", 1, 1, "import warnings\nwarnings.warn('old', UserWarning)\n", True
    )
    with pytest.raises(UserWarning, match="old"):
        run_block(block)
