"""Size limits of the lexigram-web source: no function over 80 lines, no module over 400."""

import ast
from pathlib import Path

import lexigram.web

MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400


def oversized(root: Path) -> list[str]:
    """Every function (of any nesting) and module under ``root`` over its limit."""
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines (at most {MAX_MODULE_LINES}); split the module")
        for node in ast.walk(ast.parse(text, name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(
                        f"{name}:{node.lineno} {node.name}(): {length} lines"
                        f" (at most {MAX_FUNCTION_LINES}); split the function"
                    )
    return found


def test_no_function_or_module_in_the_package_is_over_its_limit() -> None:
    assert oversized(Path(lexigram.web.__file__).parent) == []


def test_an_oversized_function_and_module_are_reported(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text("def long():\n" + body, encoding="utf-8")
    (tmp_path / "big.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1), encoding="utf-8")
    assert oversized(tmp_path) == [
        f"big.py: {MAX_MODULE_LINES + 1} lines (at most {MAX_MODULE_LINES}); split the module",
        f"long.py:1 long(): {MAX_FUNCTION_LINES + 1} lines (at most {MAX_FUNCTION_LINES});"
        " split the function",
    ]
