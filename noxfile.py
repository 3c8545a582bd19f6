"""Developer and CI sessions for the Lexigram workspace.

``uv run nox`` runs the default sessions (what CI runs). Each package is tested
in an environment synced with ``uv sync --package <pkg> --exact``: only that
package's declared closure is installed, so importing an undeclared sibling fails.
``release_check`` checks what would be published; ``lowest_direct`` tests each package
against the lowest versions its pyproject allows. ``bump`` and ``new_package`` are tools
(never run by default): ``uv run nox -s bump -- 0.2.0``, ``uv run nox -s new_package -- cache``.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nox
import nox.command

ROOT = Path(__file__).parent
PACKAGES_DIR = ROOT / "packages"

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = [
    "lint",
    "typecheck",
    "tests",
    "tests_bare",
    "release_check",
    "lowest_direct",
    "integration",
    "docs",
    "bench_quick",
]


def _packages() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for pyproject in sorted(PACKAGES_DIR.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        found[pyproject.parent.name] = project
    return found


PACKAGES = _packages()
PACKAGE_NAMES = list(PACKAGES)
WITH_EXTRAS = [name for name, project in PACKAGES.items() if project.get("optional-dependencies")]
# stdlib-only scripts (pytest_no_skips.py needs pytest and is checked by running it)
TOOLING_SCRIPTS = [
    "bump_version.py",
    "check_layout.py",
    "exercise_extras.py",
    "new_package.py",
    "release_check.py",
]
PYTEST_TIMEOUT = 600
TIMEOUT = ["timeout", "--signal=INT", "--kill-after=30", str(PYTEST_TIMEOUT)]


def _module(package: str) -> str:
    return "lexigram." + package.removeprefix("lexigram-").replace("-", "_")


def _pytest(session: nox.Session, *args: str) -> None:
    """pytest with the no-skips plugin (a skipped test fails the run in CI). A run that hangs
    is interrupted after ``PYTEST_TIMEOUT`` seconds (pytest then prints where it was stuck)."""
    env = {"PYTHONPATH": str(ROOT / "scripts")}
    pytest = ["pytest", "-p", "pytest_no_skips", *args, *session.posargs]
    session.run(*TIMEOUT, *pytest, env=env, external=True)


def _sync(session: nox.Session, *args: str) -> None:
    """Sync the session's virtualenv from uv.lock (``uv sync`` into this env)."""
    env = {"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}
    session.run_install("uv", "sync", "--locked", "--exact", *args, env=env, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, mypy on the tooling scripts, the layout guard."""
    _sync(session, "--only-group", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    scripts = [str(ROOT / "scripts" / s) for s in TOOLING_SCRIPTS]
    session.run("mypy", "--config-file", str(ROOT / "pyproject.toml"), *scripts)
    session.run("python", "scripts/check_layout.py")


@nox.session
@nox.parametrize("package", PACKAGE_NAMES)
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
@nox.parametrize("package", PACKAGE_NAMES)
def tests(session: nox.Session, package: str) -> None:
    """One package's tests, with its extras, in an env holding only its declared closure."""
    _sync(session, "--package", package, "--all-extras")
    _pytest(session, str(PACKAGES_DIR / package / "tests"))


@nox.session
@nox.parametrize("package", WITH_EXTRAS)
def tests_bare(session: nox.Session, package: str) -> None:
    """One package's core tests with no extras installed (tests marked ``extra`` deselected)."""
    _sync(session, "--package", package)
    _pytest(session, str(PACKAGES_DIR / package / "tests"), "-m", "not extra")


def _build_all(session: nox.Session, out: Path) -> None:
    """sdist, then the wheel from it, of every package from its published metadata."""
    if out.exists():
        shutil.rmtree(out)
    session.run(
        "uv", "build", "--all-packages", "--no-sources", "--out-dir", str(out), external=True
    )


def _release_check(
    session: nox.Session, *args: str, python: str = sys.executable, silent: bool = False
) -> str:
    """``scripts/release_check.py`` (stdlib only), with the given venv's interpreter."""
    script = str(ROOT / "scripts" / "release_check.py")
    output = session.run(python, script, *args, external=True, silent=silent)
    return output if isinstance(output, str) else ""


def _install_from_dist(session: nox.Session, out: Path, name: str, *requirements: str) -> str:
    """A bare venv holding ``requirements``. Our packages come only from the wheels in ``out``
    (constraints pin each to its wheel file, so a same-named project on the index is never
    used); everything else comes from the index. Returns the venv's python."""
    venv = Path(session.create_tmp()) / name
    shutil.rmtree(venv, ignore_errors=True)
    session.run("uv", "venv", "--quiet", "--python", sys.executable, str(venv), external=True)
    python = str(venv / "bin" / "python")
    refresh = [arg for package in PACKAGE_NAMES for arg in ("--refresh-package", package)]
    session.run(
        "uv", "pip", "install", "--quiet", "--python", python, *refresh,
        "-c", str(out / "constraints.txt"), *requirements,
        external=True,
    )  # fmt: skip
    _release_check(session, "installed", str(out), *requirements, python=python)
    return python


def _check_each_wheel_alone(session: nox.Session, out: Path, failed: list[str]) -> None:
    """Each wheel alone in a bare venv: exactly its declared closure installs, and it imports
    (a public submodule whose extra is missing must fail with an install hint)."""
    _release_check(session, "constraints", str(out))
    for package in PACKAGE_NAMES:
        with _step(failed, f"{package} alone"):
            python = _install_from_dist(session, out, f"alone-{package}", package)
            _release_check(session, "imports", _module(package), python=python)


def _check_each_extra(session: nox.Session, out: Path, failed: list[str]) -> None:
    """Each extra of each package alone in a bare venv, from the wheels: exactly its closure
    installs, and scripts/exercise_extras.py uses what it brings (a WebSocket handshake on each
    server, a template rendered, a form parsed, ...)."""
    script = str(ROOT / "scripts" / "exercise_extras.py")
    for package, project in PACKAGES.items():
        for extra in sorted(project.get("optional-dependencies", {})):
            if extra == "all":
                continue  # the full-stack step installs and imports everything
            requirement = f"{package}[{extra}]"
            with _step(failed, requirement):
                python = _install_from_dist(session, out, f"extra-{package}-{extra}", requirement)
                session.run(python, script, package, extra, external=True)


@contextlib.contextmanager
def _step(failed: list[str], name: str) -> Iterator[None]:
    """Run one check; on failure note it and go on, so one run reports every problem."""
    try:
        yield
    except nox.command.CommandFailed:
        failed.append(name)


@nox.session(python=False)
def wheel(session: nox.Session) -> None:
    """Build with --no-sources, install each wheel alone in a bare venv, import it.

    The quick part of ``release_check``."""
    out = ROOT / "dist"
    _build_all(session, out)
    failed: list[str] = []
    _check_each_wheel_alone(session, out, failed)
    if failed:
        session.error(f"failed: {', '.join(failed)}")


@nox.session
def release_check(session: nox.Session) -> None:
    """Build, inspect and install every package as it would be published.

    sdist and wheel built with --no-sources; metadata, README rendering (readme_renderer) and
    wheel contents; each wheel alone in a bare venv (exactly its declared closure installs and
    it imports); each extra alone, exercised (scripts/exercise_extras.py); lexigram-web[all]
    (plus any package it does not pull in) from the local wheels, importing every public module
    of every package."""
    _sync(session, "--only-group", "lint")
    out = ROOT / "dist"
    _build_all(session, out)
    failed: list[str] = []
    with _step(failed, "metadata and contents"):
        _release_check(session, "artifacts", str(out), python="python")
    _check_each_wheel_alone(session, out, failed)
    _check_each_extra(session, out, failed)
    stack = _release_check(session, "full-stack", silent=True).split()
    with _step(failed, " + ".join(stack)):
        python = _install_from_dist(session, out, "full-stack", *stack)
        modules = [_module(package) for package in PACKAGE_NAMES]
        _release_check(session, "imports", "--all", *modules, python=python)
    if failed:
        session.error(f"failed: {', '.join(failed)} (the problems are printed above)")


@nox.session
@nox.parametrize("package", PACKAGE_NAMES)
def lowest_direct(session: nox.Session, package: str) -> None:
    """One package's tests at the lowest versions of the dependencies it declares.

    ``uv pip install --resolution lowest-direct`` of the package with all its extras and its
    dev group: every declared lower bound is installed and tested (siblings come from the
    workspace, at the workspace version)."""
    pkg_dir = PACKAGES_DIR / package
    extras = sorted(PACKAGES[package].get("optional-dependencies", {}))
    target = f"{pkg_dir}[{','.join(extras)}]" if extras else str(pkg_dir)
    rebuild = [arg for name in PACKAGE_NAMES for arg in ("--reinstall-package", name)]
    session.run_install(
        "uv", "pip", "install", "--exact", "--python", str(Path(session.bin) / "python"),
        "--resolution", "lowest-direct", *rebuild,
        "-e", target, "--group", f"{pkg_dir / 'pyproject.toml'}:dev",
        external=True,
    )  # fmt: skip
    _pytest(session, str(pkg_dir / "tests"))


@nox.session
def integration(session: nox.Session) -> None:
    """Everything installed: cross-package behaviour, real servers, real Redis, READMEs.

    mypy runs on tests-integration first: that is where the static conformance checks of the
    seam Protocols live (a provider assigned to the consumer's Protocol type)."""
    _sync(session, "--all-packages", "--all-extras", "--group", "lint")
    session.run("mypy", "--config-file", str(ROOT / "pyproject.toml"), "tests-integration")
    _pytest(session, "tests-integration")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ with ``mkdocs build --strict`` (a warning fails).

    Its code examples are run by tests-integration/test_docs_examples.py."""
    _sync(session, "--all-packages", "--all-extras", "--group", "docs")
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"), env=env)


def _bench(session: nox.Session, *args: str) -> None:
    """Check every scenario answers alike in every framework, then ``bench/run.py``."""
    _sync(session, "--all-packages", "--all-extras", "--group", "bench")
    env = {"PYTHONPATH": str(ROOT / "scripts")}
    pytest = ["pytest", "-p", "pytest_no_skips", "-q", str(ROOT / "bench" / "test_scenarios.py")]
    session.run(*TIMEOUT, *pytest, env=env, external=True)
    session.run("python", str(ROOT / "bench" / "run.py"), *args)


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark (web scenarios in-process and on loopback, route-count scaling, the
    micro-benchmarks under bench/micro); writes docs/benchmarks.md and docs/img/benchmarks*.png."""
    _bench(session, *session.posargs)


@nox.session
def bench_quick(session: nox.Session) -> None:
    """``bench`` in quick mode (CI keeps the harness working); writes only to bench/results/."""
    _bench(session, "--quick")


@nox.session(python=False)
def bump(session: nox.Session) -> None:
    """Set one version everywhere and date the changelog: ``uv run nox -s bump -- 0.2.0``."""
    if len(session.posargs) != 1:
        session.error("usage: uv run nox -s bump -- X.Y.Z")
    session.run(sys.executable, str(ROOT / "scripts" / "bump_version.py"), *session.posargs)
    session.run("uv", "lock", external=True)


@nox.session(python=False)
def new_package(session: nox.Session) -> None:
    """Create packages/lexigram-<name> from templates/package, then ``uv lock``.

    ``uv run nox -s new_package -- cache`` creates packages/lexigram-cache (lexigram.cache)."""
    if len(session.posargs) != 1:
        session.error("usage: uv run nox -s new_package -- <name>")
    session.run(sys.executable, str(ROOT / "scripts" / "new_package.py"), *session.posargs)
    session.run("uv", "lock", external=True)
