"""Developer and CI sessions for the Lexigram workspace.

``uv run nox`` runs the default sessions (what CI runs). Each package is tested
in an environment synced with ``uv sync --package <pkg> --exact``: only that
package's declared closure is installed, so importing an undeclared sibling fails.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PACKAGES_DIR = ROOT / "packages"

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "typecheck", "tests", "tests_bare", "wheel", "integration"]


def _packages() -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for pyproject in sorted(PACKAGES_DIR.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        found[pyproject.parent.name] = project
    return found


PACKAGES = _packages()
PACKAGE_NAMES = list(PACKAGES)
WITH_EXTRAS = [name for name, project in PACKAGES.items() if project.get("optional-dependencies")]


def _module(package: str) -> str:
    return "lexigram." + package.removeprefix("lexigram-").replace("-", "_")


def _pytest(session: nox.Session, *args: str) -> None:
    """pytest with the no-skips plugin (a skipped test fails the run in CI)."""
    env = {"PYTHONPATH": str(ROOT / "scripts")}
    session.run("pytest", "-p", "pytest_no_skips", *args, *session.posargs, env=env)


def _sync(session: nox.Session, *args: str) -> None:
    """Sync the session's virtualenv from uv.lock (``uv sync`` into this env)."""
    env = {"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}
    session.run_install("uv", "sync", "--locked", "--exact", *args, env=env, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, the namespace guard and the one-version check."""
    _sync(session, "--only-group", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "scripts/check_layout.py")


@nox.session
@nox.parametrize("package", PACKAGE_NAMES, ids=PACKAGE_NAMES)
def typecheck(session: nox.Session, package: str) -> None:
    """mypy --strict on one package in its own env, then pyright strict on it."""
    _sync(session, "--package", package, "--all-extras", "--group", "lint")
    pkg_dir = PACKAGES_DIR / package
    targets = [str(pkg_dir / "src"), str(pkg_dir / "tests")]
    if (pkg_dir / "typing_tests").is_dir():
        targets.append(str(pkg_dir / "typing_tests"))
    session.run("mypy", "--config-file", str(ROOT / "pyproject.toml"), *targets)
    pyright_targets = [str(pkg_dir / "src")]
    if (pkg_dir / "typing_tests").is_dir():
        pyright_targets.append(str(pkg_dir / "typing_tests"))
    session.run("pyright", "--pythonpath", str(Path(session.bin) / "python"), *pyright_targets)


@nox.session
@nox.parametrize("package", PACKAGE_NAMES, ids=PACKAGE_NAMES)
def tests(session: nox.Session, package: str) -> None:
    """One package's tests, with its extras, in an env holding only its declared closure."""
    _sync(session, "--package", package, "--all-extras")
    _pytest(session, str(PACKAGES_DIR / package / "tests"))


@nox.session
@nox.parametrize("package", WITH_EXTRAS, ids=WITH_EXTRAS)
def tests_bare(session: nox.Session, package: str) -> None:
    """One package's core tests with no extras installed (tests marked ``extra`` deselected)."""
    _sync(session, "--package", package)
    _pytest(session, str(PACKAGES_DIR / package / "tests"), "-m", "not extra")


def _build_all(session: nox.Session, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    session.run(
        "uv", "build", "--all-packages", "--no-sources", "--out-dir", str(out), external=True
    )


def _constraints(out: Path) -> Path:
    """Pin each workspace package to its own version, so a same-named PyPI project is never used."""
    path = out / "constraints.txt"
    path.write_text("".join(f"{name}=={p['version']}\n" for name, p in PACKAGES.items()))
    return path


@nox.session(python=False)
def wheel(session: nox.Session) -> None:
    """Build every package with --no-sources, install each wheel alone in a bare venv, import it."""
    out = ROOT / "dist"
    _build_all(session, out)
    constraints = _constraints(out)
    for package in PACKAGE_NAMES:
        venv = Path(session.create_tmp()) / f"bare-{package}"
        shutil.rmtree(venv, ignore_errors=True)
        session.run("uv", "venv", "--quiet", "--python", sys.executable, str(venv), external=True)
        python = str(venv / "bin" / "python")
        session.run(
            "uv", "pip", "install", "--quiet", "--python", python,
            "--find-links", str(out), "-c", str(constraints), package,
            external=True,
        )  # fmt: skip
        session.run(python, "-c", f"import {_module(package)}", external=True)
        if not PACKAGES[package].get("dependencies"):
            listed = session.run(
                "uv", "pip", "freeze", "--quiet", "--python", python, external=True, silent=True
            )
            installed = [line for line in str(listed).splitlines() if "==" in line]
            if len(installed) != 1:
                session.error(f"{package} declares no dependencies but installed: {installed}")


@nox.session
def integration(session: nox.Session) -> None:
    """Everything installed: cross-package behaviour, real servers, real Redis."""
    _sync(session, "--all-packages", "--all-extras")
    _pytest(session, "tests-integration")


@nox.session
def bench(session: nox.Session) -> None:
    """Every micro-benchmark under bench/micro (pass --quick for the short CI run)."""
    _sync(session, "--all-packages", "--all-extras", "--group", "bench")
    for script in sorted((ROOT / "bench" / "micro").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
