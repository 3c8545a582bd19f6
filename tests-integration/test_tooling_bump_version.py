"""scripts/bump_version.py on a copy of the workspace's pyproject files and changelog."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bump_version.py"
CHANGELOG = (
    "# Changelog\n\n## Unreleased\n\n- lexigram-di: a change.\n\n## 0.0.1 - 2020-01-01\n\n- old\n"
)


def workspace_copy(tmp_path: Path, changelog: str = CHANGELOG) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for pyproject in (ROOT / "packages").glob("*/pyproject.toml"):
        target = tmp_path / "packages" / pyproject.parent.name
        target.mkdir(parents=True)
        shutil.copy(pyproject, target / "pyproject.toml")
    (tmp_path / "CHANGELOG.md").write_text(changelog)
    return tmp_path


def bump(root: Path, version: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), version, "--root", str(root), "--date", "2031-02-03"],
        capture_output=True,
        text=True,
        check=False,
    )


def versions(root: Path) -> set[str]:
    paths = [root / "pyproject.toml", *root.glob("packages/*/pyproject.toml")]
    return {tomllib.loads(p.read_text())["project"]["version"] for p in paths}


def sibling_requirements(root: Path) -> list[str]:
    found = []
    for pyproject in root.glob("packages/*/pyproject.toml"):
        project = tomllib.loads(pyproject.read_text())["project"]
        requirements = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            requirements += extra
        found += [r for r in requirements if r.startswith("lexigram-") and ">=" in r]
    return found


def test_every_pyproject_gets_the_new_version(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    assert bump(root, "7.8.9").returncode == 0
    assert versions(root) == {"7.8.9"}


def test_sibling_lower_bounds_follow_the_version(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    bump(root, "7.8.9")
    requirements = sibling_requirements(root)
    assert all(r.endswith(">=7.8.9") for r in requirements), requirements


def test_the_unreleased_section_becomes_the_release(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    bump(root, "7.8.9")
    assert (root / "CHANGELOG.md").read_text() == (
        "# Changelog\n\n## Unreleased\n\n## 7.8.9 - 2031-02-03\n\n- lexigram-di: a change.\n\n"
        "## 0.0.1 - 2020-01-01\n\n- old\n"
    )


def test_an_empty_unreleased_section_stops_the_bump_before_any_write(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path, "# Changelog\n\n## Unreleased\n\n## 0.0.1 - 2020-01-01\n")
    before = versions(root)
    result = bump(root, "7.8.9")
    assert result.returncode == 1
    assert "record the user-visible changes" in result.stderr
    assert versions(root) == before


def test_a_changelog_without_an_unreleased_section_is_refused(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path, "# Changelog\n")
    result = bump(root, "7.8.9")
    assert result.returncode == 1
    assert "no `## Unreleased` section" in result.stderr


def test_a_version_that_is_not_pep_440_is_refused(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    result = bump(root, "v1")
    assert result.returncode == 2
    assert "PEP 440" in result.stderr


def test_the_current_version_is_refused(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    (current,) = versions(root)
    result = bump(root, current)
    assert result.returncode == 1
    assert "already at" in result.stderr


def test_the_real_changelog_names_every_package() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    names = sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))
    assert "\n## Unreleased\n" in changelog
    assert [name for name in names if f"**{name}**" not in changelog] == []
