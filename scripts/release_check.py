"""Release checks run by ``nox -s release_check``. Standard library only: parts of it run
inside bare virtualenvs that hold nothing but the wheels under test.

    python scripts/release_check.py artifacts DIST
        every package's sdist and wheel in DIST: metadata, README rendering (needs
        readme_renderer, from the root `lint` group) and contents
    python scripts/release_check.py constraints DIST
        write DIST/constraints.txt, pinning each workspace package to its wheel in DIST
    python scripts/release_check.py installed DIST REQUIREMENT...
        (inside a venv) the installed lexigram distributions are exactly the declared
        closure of the REQUIREMENTs, each installed from the wheel in DIST
    python scripts/release_check.py full-stack
        print the requirements that install everything: lexigram-web[all] plus every
        package it does not pull in
    python scripts/release_check.py imports [--all] MODULE...
        (inside a venv) import each module, its public submodules and the console scripts
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib
import importlib.metadata
import pkgutil
import re
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterable
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGES_DIR = ROOT / "packages"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*([^;]*)")
TEST_FILE = re.compile(r"^(test_.*|.*_test|conftest)\.py$")
PY_VERSION_CLASSIFIER = re.compile(r"^Programming Language :: Python :: 3\.(\d+)$")


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_stem(name: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"


def module_of(name: str) -> str:
    """``lexigram-http-errors`` -> ``lexigram.http_errors``."""
    return "lexigram." + normalize(name).removeprefix("lexigram-").replace("-", "_")


def load_projects(packages_dir: Path = PACKAGES_DIR) -> dict[str, dict[str, Any]]:
    """``[project]`` of every workspace package, keyed by normalised name."""
    projects: dict[str, dict[str, Any]] = {}
    for pyproject in sorted(packages_dir.glob("*/pyproject.toml")):
        project: dict[str, Any] = tomllib.loads(pyproject.read_text())["project"]
        projects[normalize(project["name"])] = project
    return projects


def parse_requirement(text: str) -> tuple[str, set[str], str]:
    """``name[extra1,extra2]>=1.0; marker`` -> (normalised name, extras, specifier)."""
    match = REQUIREMENT.match(text)
    if match is None:
        raise ValueError(f"cannot parse requirement {text!r}")
    extras = {e.strip() for e in (match.group(2) or "").split(",") if e.strip()}
    return normalize(match.group(1)), extras, match.group(3).strip()


def closure(requirements: list[str], projects: dict[str, dict[str, Any]]) -> set[str]:
    """The workspace packages that installing ``requirements`` pulls in (extras followed)."""
    found: set[str] = set()
    seen: set[tuple[str, str]] = set()
    pending = [parse_requirement(r)[:2] for r in requirements]
    while pending:
        name, extras = pending.pop()
        if name not in projects:
            continue
        found.add(name)
        project = projects[name]
        groups = [("", project.get("dependencies", []))]
        optional = project.get("optional-dependencies", {})
        groups += [(extra, optional.get(extra, [])) for extra in sorted(extras)]
        for group, requirements in groups:
            if (name, group) in seen:
                continue
            seen.add((name, group))
            pending.extend(parse_requirement(r)[:2] for r in requirements)
    return found


# --- artifacts -------------------------------------------------------------------------------


def read_metadata(text: str) -> Message:
    return HeaderParser().parsestr(text)


def check_metadata(metadata: Message, project: dict[str, Any], where: str) -> list[str]:
    """The core metadata of one wheel or sdist against its ``pyproject.toml``."""
    problems: list[str] = []
    name, version = project["name"], project["version"]

    def fail(message: str) -> None:
        problems.append(f"{where}: {message}")

    if normalize(metadata.get("Name", "")) != normalize(name):
        fail(f"Name is {metadata.get('Name')!r}, expected {name!r}")
    if metadata.get("Version") != version:
        fail(f"Version is {metadata.get('Version')!r}, expected the workspace version {version!r}")
    if not (metadata.get("Summary") or "").strip():
        fail("no Summary: set `description` in pyproject.toml")
    license_expression = metadata.get("License-Expression")
    if not (license_expression or metadata.get("License")):
        fail('no license: set `license = "MIT"` in pyproject.toml')
    requires_python = metadata.get("Requires-Python")
    if not requires_python:
        fail('no Requires-Python: set `requires-python = ">=3.11"` in pyproject.toml')
    elif requires_python != project.get("requires-python"):
        fail(f"Requires-Python is {requires_python!r}, pyproject.toml says otherwise")
    classifiers = metadata.get_all("Classifier") or []
    problems.extend(f"{where}: {p}" for p in check_classifiers(classifiers, requires_python))
    if license_expression:
        stale = [c for c in classifiers if c.startswith("License ::")]
        if stale:
            fail(
                f"remove the classifier {stale[0]!r} from pyproject.toml: `license = "
                f'"{license_expression}"` supersedes license classifiers (PEP 639); setuptools '
                "refuses to build metadata carrying both and PyPI rejects such uploads"
            )
    content_type = metadata.get("Description-Content-Type") or ""
    description = metadata.get_payload()
    if not content_type.startswith("text/markdown"):
        fail('the README is not declared as markdown: set `readme = "README.md"`')
    if not isinstance(description, str) or "```python" not in description:
        fail("the long description (README.md) has no ```python example")
    elif content_type.startswith("text/markdown"):
        html = render_markdown(description, content_type)
        if html is None:
            fail("the long description (README.md) does not render as markdown")
        elif '<pre lang="python">' not in html:
            fail("the README's ```python example is lost when rendered for the package index")
    return problems


def render_markdown(text: str, content_type: str) -> str | None:
    """Render as the package index does (readme_renderer: only in the session's venv)."""
    import readme_renderer.markdown  # imported here: the other commands run in bare venvs

    variant = re.search(r"variant=(\w+)", content_type)
    return readme_renderer.markdown.render(text, variant=variant.group(1) if variant else "GFM")


def check_classifiers(classifiers: list[str], requires_python: str | None) -> list[str]:
    problems: list[str] = []
    if not any(c.startswith("Development Status ::") for c in classifiers):
        problems.append('add a "Development Status :: ..." classifier')
    if "Typing :: Typed" not in classifiers:
        problems.append('add the "Typing :: Typed" classifier (the package ships py.typed)')
    minors = [int(m.group(1)) for c in classifiers if (m := PY_VERSION_CLASSIFIER.match(c))]
    if not minors:
        problems.append('add "Programming Language :: Python :: 3.X" classifiers')
    floor = re.fullmatch(r">=\s*3\.(\d+)", requires_python or "")
    if floor and minors and min(minors) != int(floor.group(1)):
        problems.append(
            f"the oldest Python classifier is 3.{min(minors)} but Requires-Python is "
            f"{requires_python}: make them agree"
        )
    return problems


def check_wheel_files(files: list[str], module: str, where: str) -> list[str]:
    """What a wheel may hold: ``lexigram/<mod>/...`` (py.typed included) and its dist-info."""
    problems: list[str] = []
    package_dir = module.replace(".", "/") + "/"
    for required in ("__init__.py", "py.typed"):
        if package_dir + required not in files:
            problems.append(f"{where}: {package_dir}{required} is missing")
    for path in files:
        parts = PurePosixPath(path).parts
        if parts[0].endswith(".dist-info"):
            continue
        if path in ("lexigram/__init__.py", "lexigram/py.typed"):
            problems.append(
                f"{where}: ships {path}; src/lexigram/ is a namespace shared by all packages, "
                "delete that file"
            )
        elif not path.startswith(package_dir):
            problems.append(f"{where}: ships {path}, outside {package_dir}")
        elif {"tests", "test", "__pycache__"} & set(parts) or TEST_FILE.match(parts[-1]):
            problems.append(f"{where}: ships the test or cache file {path}")
        elif path.endswith((".pyc", ".pyo")):
            problems.append(f"{where}: ships the compiled file {path}")
    return problems


def check_entry_points(text: str, files: list[str], where: str) -> list[str]:
    """Every console script points at a module the wheel ships."""
    problems: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and section in ("console_scripts", "gui_scripts"):
            script, target = (part.strip() for part in line.split("=", 1))
            module_path = target.split(":", 1)[0].replace(".", "/")
            if f"{module_path}.py" not in files and f"{module_path}/__init__.py" not in files:
                problems.append(
                    f"{where}: the script {script!r} runs {target}, but {module_path}.py is "
                    "not in the wheel"
                )
    return problems


def check_wheel(path: Path, project: dict[str, Any]) -> list[str]:
    where = path.name
    stem = wheel_stem(project["name"], project["version"])
    with zipfile.ZipFile(path) as wheel:
        files = [n for n in wheel.namelist() if not n.endswith("/")]
        dist_info = f"{stem}.dist-info"
        if f"{dist_info}/METADATA" not in files:
            return [f"{where}: no {dist_info}/METADATA"]
        metadata = read_metadata(wheel.read(f"{dist_info}/METADATA").decode())
        problems = check_metadata(metadata, project, where)
        problems += check_wheel_files(files, module_of(project["name"]), where)
        if f"{dist_info}/RECORD" not in files:
            problems.append(f"{where}: no {dist_info}/RECORD")
        if f"{dist_info}/entry_points.txt" in files:
            entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
            problems += check_entry_points(entry_points, files, where)
    return problems


def check_sdist(path: Path, project: dict[str, Any]) -> list[str]:
    where = path.name
    top = wheel_stem(project["name"], project["version"])
    package_dir = "src/" + module_of(project["name"]).replace(".", "/")
    with tarfile.open(path) as sdist:
        names = {n.removeprefix(top + "/") for n in sdist.getnames() if n.startswith(top + "/")}
        if "PKG-INFO" not in names:
            return [f"{where}: no {top}/PKG-INFO"]
        member = sdist.extractfile(f"{top}/PKG-INFO")
        assert member is not None
        metadata = read_metadata(member.read().decode())
    problems = []
    if (metadata.get("Name"), metadata.get("Version")) != (project["name"], project["version"]):
        problems.append(f"{where}: PKG-INFO names {metadata.get('Name')} {metadata.get('Version')}")
    required = ["pyproject.toml", "README.md", f"{package_dir}/__init__.py"]
    required.append(f"{package_dir}/py.typed")
    problems += [f"{where}: {top}/{r} is missing" for r in required if r not in names]
    for forbidden in ("src/lexigram/__init__.py", "src/lexigram/py.typed"):
        if forbidden in names:
            problems.append(f"{where}: ships {forbidden}; delete it (namespace package)")
    return problems


def check_artifacts(dist: Path, projects: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for project in projects.values():
        stem = wheel_stem(project["name"], project["version"])
        wheel = dist / f"{stem}-py3-none-any.whl"
        sdist = dist / f"{stem}.tar.gz"
        for path, check in ((wheel, check_wheel), (sdist, check_sdist)):
            if path.is_file():
                problems += check(path, project)
            else:
                problems.append(f"{path}: not built; run `uv build --all-packages --no-sources`")
    return problems


# --- installs --------------------------------------------------------------------------------


def full_stack(projects: dict[str, dict[str, Any]]) -> list[str]:
    """Requirements that install every workspace package: ``lexigram-web[all]`` and each
    package that it does not pull in."""
    stack = ["lexigram-web[all]"] if "lexigram-web" in projects else []
    pulled = closure(stack, projects)
    return stack + sorted(name for name in projects if name not in pulled)


def write_constraints(dist: Path, projects: dict[str, dict[str, Any]]) -> Path:
    """Pin every workspace package to its wheel file in ``dist``: a same-named project on the
    package index is never considered, whatever its version."""
    lines = []
    for name, project in sorted(projects.items()):
        wheel = dist.resolve() / f"{wheel_stem(name, project['version'])}-py3-none-any.whl"
        lines.append(f"{name} @ {wheel.as_uri()}\n")
    path = dist / "constraints.txt"
    path.write_text("".join(lines))
    return path


def record_hashes(lines: Iterable[str]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for line in lines:
        path, digest, *_ = [*line.rsplit(",", 2), "", ""]
        if path.startswith("lexigram/") and digest:
            hashes[path] = digest
    return hashes


def installed_hashes(dist: importlib.metadata.Distribution) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for file in dist.files or []:
        path = file.as_posix()
        if path.startswith("lexigram/"):
            data = Path(str(dist.locate_file(file))).read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            hashes[path] = "sha256=" + digest.decode()
    return hashes


def check_installed(
    dist_dir: Path, requirements: list[str], projects: dict[str, dict[str, Any]]
) -> list[str]:
    """Run inside the target venv: exactly the declared closure is installed, from our wheels."""
    expected = closure(requirements, projects)
    installed = {
        normalize(d.metadata["Name"]): d
        for d in importlib.metadata.distributions()
        if normalize(d.metadata["Name"]) in projects
    }
    problems: list[str] = []
    if set(installed) != expected:
        extra, missing = sorted(set(installed) - expected), sorted(expected - set(installed))
        problems.append(
            f"installing {requirements} gave lexigram packages {sorted(installed)}; expected "
            f"{sorted(expected)} (undeclared: {extra}, missing: {missing})"
        )
    for name, dist in sorted(installed.items()):
        version = projects[name]["version"]
        wheel_path = dist_dir / f"{wheel_stem(name, version)}-py3-none-any.whl"
        if dist.version != version:
            problems.append(f"{name} {dist.version} is installed, not the workspace's {version}")
            continue
        with zipfile.ZipFile(wheel_path) as wheel:
            record = wheel.read(f"{wheel_stem(name, version)}.dist-info/RECORD").decode()
        if installed_hashes(dist) != record_hashes(record.splitlines()):
            problems.append(
                f"{name}: the installed files differ from {wheel_path.name}: it did not come "
                "from the local build (a same-named project on the index, or a stale cache)"
            )
    return problems


# --- imports ---------------------------------------------------------------------------------


def import_tree(name: str, problems: list[str], *, extras_may_miss: bool) -> None:
    """Import ``name`` and, recursively, its submodules whose names do not start with ``_``.

    With ``extras_may_miss``, a submodule may raise ImportError if its message names the
    install command (an optional integration whose extra is not installed).
    """
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        if extras_may_miss and "." in name.removeprefix("lexigram.") and "pip install" in str(exc):
            print(f"{name} needs an extra: {exc}")
        else:
            problems.append(f"import {name}: {type(exc).__name__}: {exc}")
        return
    except Exception as exc:
        problems.append(f"import {name}: {type(exc).__name__}: {exc}")
        return
    print(f"imported {name}")
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        if not info.name.startswith("_"):
            import_tree(f"{name}.{info.name}", problems, extras_may_miss=extras_may_miss)


def check_imports(modules: list[str], *, everything: bool) -> list[str]:
    """Import each module and its public submodules, then load every lexigram console script.

    ``everything``: the full stack is installed, so the namespace must hold exactly
    ``modules`` and no submodule may miss an extra.
    """
    problems: list[str] = []
    if everything:
        lexigram = importlib.import_module("lexigram")
        found = sorted(f"lexigram.{m.name}" for m in pkgutil.iter_modules(lexigram.__path__))
        if found != sorted(modules):
            problems.append(f"the lexigram namespace holds {found}, expected {sorted(modules)}")
    for name in modules:
        import_tree(name, problems, extras_may_miss=not everything)
    ours = load_projects()
    for entry_point in importlib.metadata.entry_points(group="console_scripts"):
        if entry_point.dist is None or normalize(entry_point.dist.name) not in ours:
            continue
        try:
            entry_point.load()
        except Exception as exc:
            problems.append(f"console script {entry_point.name} = {entry_point.value}: {exc!r}")
        else:
            print(f"loaded console script {entry_point.name} = {entry_point.value}")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("artifacts").add_argument("dist", type=Path)
    commands.add_parser("constraints").add_argument("dist", type=Path)
    installed = commands.add_parser("installed")
    installed.add_argument("dist", type=Path)
    installed.add_argument("requirements", nargs="+")
    commands.add_parser("full-stack")
    imports = commands.add_parser("imports")
    imports.add_argument("--all", action="store_true", help="everything is installed")
    imports.add_argument("modules", nargs="+")
    args = parser.parse_args(argv)
    projects = load_projects()
    if args.command == "constraints":
        print(write_constraints(args.dist, projects))
        return 0
    if args.command == "full-stack":
        print(" ".join(full_stack(projects)))
        return 0
    if args.command == "artifacts":
        problems = check_artifacts(args.dist, projects)
    elif args.command == "installed":
        problems = check_installed(args.dist, args.requirements, projects)
    else:
        problems = check_imports(args.modules, everything=args.all)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
