"""scripts/new_package.py: a package generated from templates/package (into a tmp dir, never
into packages/) is complete, follows the layout rules and passes its own tests and README."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "new_package.py"
CACHE = "packages/lexigram-cache"
WORKSPACE_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def generate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the generator on a workspace in ``tmp_path``: a copy of the root pyproject.toml and
    an empty packages/ folder (the new package lands in ``tmp_path / "packages"``)."""
    if not (tmp_path / "pyproject.toml").exists():
        shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
        (tmp_path / "packages").mkdir()
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--workspace", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_it_creates_the_package_layout(tmp_path: Path) -> None:
    assert generate(tmp_path, "task-queue").returncode == 0
    assert files_under(tmp_path / "packages/lexigram-task-queue") == [
        "README.md",
        "pyproject.toml",
        "src/lexigram/task_queue/__init__.py",
        "src/lexigram/task_queue/py.typed",
        "tests/test_public_api.py",
    ]


def test_the_lexigram_prefix_may_be_given(tmp_path: Path) -> None:
    assert generate(tmp_path, "lexigram-cache").returncode == 0
    assert (tmp_path / CACHE / "src" / "lexigram" / "cache" / "__init__.py").is_file()


def test_the_pyproject_builds_with_hatchling_at_the_workspace_version(tmp_path: Path) -> None:
    generate(tmp_path, "cache", "--description", "Caches things.")
    pyproject = tomllib.loads((tmp_path / CACHE / "pyproject.toml").read_text())
    project = pyproject["project"]
    assert (project["name"], project["version"], project["description"]) == (
        "lexigram-cache",
        WORKSPACE_VERSION,
        "Caches things.",
    )
    assert pyproject["build-system"]["build-backend"] == "hatchling.build"
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/lexigram"]
    assert "Typing :: Typed" in project["classifiers"]


def test_the_namespace_folder_stays_empty_of_init_and_py_typed(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    namespace = tmp_path / CACHE / "src" / "lexigram"
    assert sorted(p.name for p in namespace.iterdir()) == ["cache"]


def test_the_init_has_a_sorted_literal_all(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    init = tmp_path / CACHE / "src" / "lexigram" / "cache" / "__init__.py"
    assigned = [n for n in ast.parse(init.read_text()).body if isinstance(n, ast.AnnAssign)]
    assert len(assigned) == 1
    assert isinstance(assigned[0].value, ast.List)
    names = [ast.literal_eval(e) for e in assigned[0].value.elts]
    assert names == sorted(names)


def test_no_placeholder_is_left_in_any_file(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    leftovers = [
        path
        for path in (tmp_path / CACHE).rglob("*")
        if path.is_file() and re.search(r"\{\{|__module__", path.read_text())
    ]
    assert leftovers == []


def test_the_generated_tests_pass(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    package = tmp_path / CACHE
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
        cwd=package,
        env={**os.environ, "PYTHONPATH": str(package / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_generated_readme_example_runs(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    package = tmp_path / CACHE
    readme = (package / "README.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", blocks[0]],
        env={**os.environ, "PYTHONPATH": str(package / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr


def test_an_existing_package_is_never_overwritten(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    readme = tmp_path / CACHE / "README.md"
    readme.write_text("mine")
    result = generate(tmp_path, "cache")
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert readme.read_text() == "mine"


def test_a_name_that_is_no_module_name_is_refused(tmp_path: Path) -> None:
    result = generate(tmp_path, "Task_Queue")
    assert result.returncode == 2
    assert "lowercase letters" in result.stderr
    assert list((tmp_path / "packages").iterdir()) == []


def test_a_python_keyword_is_refused(tmp_path: Path) -> None:
    assert generate(tmp_path, "import").returncode == 2


def test_the_new_src_folder_joins_the_mypy_path(tmp_path: Path) -> None:
    generate(tmp_path, "cache")
    config = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["mypy"]
    paths = config["mypy_path"].split(":")
    assert paths[-1] == "$MYPY_CONFIG_FILE_DIR/packages/lexigram-cache/src"
    assert paths[:-1] == tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"][
        "mypy_path"
    ].split(":")


def test_the_real_workspace_is_left_alone(tmp_path: Path) -> None:
    before = (ROOT / "pyproject.toml").read_text(), sorted((ROOT / "packages").iterdir())
    generate(tmp_path, "cache")
    assert ((ROOT / "pyproject.toml").read_text(), sorted((ROOT / "packages").iterdir())) == before
