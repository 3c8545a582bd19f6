"""Another project's regular ``lexigram`` package installed next to Lexigram's packages (the
unrelated project that owns ``lexigram`` and ``lexigram-web`` on PyPI ships one) makes every
package fail at import with a message naming that distribution and the fix, instead of a
``No module named 'lexigram.http_errors'`` later on.

A real virtualenv (``uv venv``): the six packages installed from the workspace, then a tiny
foreign distribution built here whose ``lexigram/__init__.py`` lands in the same folder. A
package installed elsewhere on ``sys.path`` (an editable install's ``.pth`` entry) is hidden
by the regular package before any of its code runs: Python reports ``No module named ...``
for it, and the message comes from the first Lexigram package whose code does run.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = [
    "lexigram.result", "lexigram.di", "lexigram.http_errors", "lexigram.ratelimit",
    "lexigram.cqrs", "lexigram.web",
]  # fmt: skip
FOREIGN = "lexigram-original"
FOREIGN_PYPROJECT = f"""\
[project]
name = "{FOREIGN}"
version = "0.1.5001"

[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["lexigram"]
"""


def uv(*arguments: str) -> None:
    executable = shutil.which("uv")
    assert executable is not None, "these tests need uv on PATH (pip install uv)"
    subprocess.run([executable, *arguments], check=True, capture_output=True, timeout=600)


def import_in(python: Path, module: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )


def make_venv(root: Path, *install_options: str) -> Path:
    """A venv holding Lexigram's six packages, installed with ``install_options``."""
    venv = root / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(venv))
    interpreter = venv / "bin" / "python"
    packages = [str(ROOT / "packages" / f"lexigram-{name}") for name in
                ("result", "di", "http-errors", "ratelimit", "cqrs", "web")]  # fmt: skip
    uv("pip", "install", "--quiet", "--python", str(interpreter), *install_options, *packages)
    assert [import_in(interpreter, module).returncode for module in MODULES] == [0] * 6
    return interpreter


def message(module: str, shadow: Path) -> str:
    return (
        f"ImportError: {module} cannot be imported: {shadow} makes 'lexigram' a regular "
        "package, which shadows the namespace Lexigram's packages share. It comes from "
        f"{FOREIGN} 0.1.5001: an unrelated project that owns the names 'lexigram' and "
        f"'lexigram-web' on PyPI. Fix: pip uninstall {FOREIGN}, then install Lexigram from "
        "its repository (see 'Installing' in its README)"
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def install_foreign(python: Path, root: Path) -> Path:
    """Build and install the other project: a regular ``lexigram`` package."""
    project = root / "foreign"
    (project / "lexigram").mkdir(parents=True)
    (project / "pyproject.toml").write_text(FOREIGN_PYPROJECT)
    (project / "lexigram" / "__init__.py").write_text('"""The other Lexigram."""\n')
    uv("pip", "install", "--quiet", "--python", str(python), str(project))
    found = subprocess.run(
        [str(python), "-c", "import lexigram; print(lexigram.__file__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(found.stdout.strip())


def test_every_package_names_the_foreign_distribution_and_the_fix(tmp_path: Path) -> None:
    python = make_venv(tmp_path, "--no-sources")  # every package's files in site-packages
    shadow = install_foreign(python, tmp_path)
    for module in MODULES:
        result = import_in(python, module)
        assert result.returncode == 1, f"{module} imported with {shadow} in the way"
        assert last_line(result) == message(module, shadow)


def test_packages_elsewhere_on_sys_path_are_hidden_and_the_next_one_names_the_cause(
    tmp_path: Path,
) -> None:
    python = make_venv(tmp_path)  # siblings from the workspace sources: editable, via .pth
    shadow = install_foreign(python, tmp_path)
    hidden = import_in(python, "lexigram.di")
    assert last_line(hidden) == "ModuleNotFoundError: No module named 'lexigram.di'"
    assert last_line(import_in(python, "lexigram.web")) == message("lexigram.web", shadow)


def test_each_package_runs_the_check_first_and_passes_a_namespace() -> None:
    import lexigram

    assert getattr(lexigram, "__file__", None) is None  # a namespace: nothing in the way
    for module in MODULES:
        importlib.import_module(module)
        assert f"{module}._namespace" in sys.modules, f"{module} does not run the check"
