"""scripts/release_check.py and scripts/check_layout.py see the defects they exist to catch."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load(script: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(script, ROOT / "scripts" / f"{script}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = load("release_check")
layout = load("check_layout")

PROJECT: dict[str, Any] = {
    "name": "lexigram-demo",
    "version": "1.2.3",
    "requires-python": ">=3.11",
}
GOOD_METADATA = """\
Metadata-Version: 2.4
Name: lexigram-demo
Version: 1.2.3
Summary: A demo.
License-Expression: MIT
Classifier: Development Status :: 3 - Alpha
Classifier: Programming Language :: Python :: 3.11
Classifier: Programming Language :: Python :: 3.12
Classifier: Typing :: Typed
Requires-Python: >=3.11
Description-Content-Type: text/markdown

# lexigram-demo

```python
print("hi")
```
"""
GOOD_FILES = ["lexigram/demo/__init__.py", "lexigram/demo/py.typed", "lexigram/demo/_core.py"]


def metadata_problems(text: str) -> list[str]:
    problems: list[str] = release.check_metadata(release.read_metadata(text), PROJECT, "w")
    return problems


def test_complete_metadata_passes() -> None:
    assert metadata_problems(GOOD_METADATA) == []


def test_a_version_other_than_the_workspace_one_is_reported() -> None:
    problems = metadata_problems(GOOD_METADATA.replace("Version: 1.2.3", "Version: 9.9"))
    assert problems == ["w: Version is '9.9', expected the workspace version '1.2.3'"]


def test_a_readme_without_a_python_example_is_reported() -> None:
    text = GOOD_METADATA.replace("```python", "```")
    assert metadata_problems(text) == [
        "w: the long description (README.md) has no ```python example"
    ]


def test_a_license_classifier_next_to_a_license_expression_is_reported() -> None:
    text = GOOD_METADATA.replace(
        "Classifier: Typing",
        "Classifier: License :: OSI Approved :: MIT License\nClassifier: Typing",
    )
    (problem,) = metadata_problems(text)
    assert "remove the classifier 'License :: OSI Approved :: MIT License'" in problem


def test_missing_requires_python_and_typed_classifier_are_reported() -> None:
    text = GOOD_METADATA.replace("Requires-Python: >=3.11\n", "").replace(
        "Classifier: Typing :: Typed\n", ""
    )
    problems = metadata_problems(text)
    assert len(problems) == 2
    assert "no Requires-Python" in problems[0]
    assert "Typing :: Typed" in problems[1]


def test_python_classifiers_older_than_requires_python_are_reported() -> None:
    problems = release.check_classifiers(
        [
            "Development Status :: 4 - Beta",
            "Typing :: Typed",
            "Programming Language :: Python :: 3.10",
        ],
        ">=3.11",
    )
    assert problems == [
        "the oldest Python classifier is 3.10 but Requires-Python is >=3.11: make them agree"
    ]


def test_a_clean_wheel_file_list_passes() -> None:
    assert (
        release.check_wheel_files([*GOOD_FILES, "x.dist-info/RECORD"], "lexigram.demo", "w") == []
    )


def test_a_namespace_init_in_the_wheel_is_reported() -> None:
    problems = release.check_wheel_files(
        [*GOOD_FILES, "lexigram/__init__.py"], "lexigram.demo", "w"
    )
    assert len(problems) == 1
    assert "namespace" in problems[0]


def test_test_files_in_the_wheel_are_reported() -> None:
    files = [*GOOD_FILES, "lexigram/demo/tests/helpers.py", "lexigram/demo/test_core.py"]
    problems = release.check_wheel_files(files, "lexigram.demo", "w")
    assert len(problems) == 2


def test_a_missing_py_typed_and_a_foreign_file_are_reported() -> None:
    files = ["lexigram/demo/__init__.py", "lexigram/other/x.py"]
    assert release.check_wheel_files(files, "lexigram.demo", "w") == [
        "w: lexigram/demo/py.typed is missing",
        "w: ships lexigram/other/x.py, outside lexigram/demo/",
    ]


def test_a_console_script_whose_module_is_not_shipped_is_reported() -> None:
    entry_points = "[console_scripts]\ndemo = lexigram.demo._cli:main\nok = lexigram.demo:run\n"
    (problem,) = release.check_entry_points(entry_points, GOOD_FILES, "w")
    assert "lexigram/demo/_cli.py is not in the wheel" in problem


def test_the_closure_follows_extras_and_only_workspace_packages() -> None:
    projects = {
        "lexigram-a": {"dependencies": ["lexigram-b>=1", "httpx>=0.27"]},
        "lexigram-b": {"optional-dependencies": {"x": ["lexigram-c>=1"]}},
        "lexigram-c": {},
        "lexigram-d": {"optional-dependencies": {"all": ["lexigram-d[x]"], "x": ["lexigram-b[x]"]}},
    }
    assert release.closure(["lexigram-a"], projects) == {"lexigram-a", "lexigram-b"}
    assert release.closure(["lexigram-d[all]"], projects) == {
        "lexigram-d",
        "lexigram-b",
        "lexigram-c",
    }


def test_the_full_stack_adds_what_lexigram_web_all_does_not_pull_in() -> None:
    projects = {
        "lexigram-web": {
            "optional-dependencies": {"all": ["lexigram-web[x]"], "x": ["lexigram-b"]}
        },
        "lexigram-b": {},
        "lexigram-cache": {},
    }
    assert release.full_stack(projects) == ["lexigram-web[all]", "lexigram-cache"]


def test_constraints_pin_every_package_to_its_local_wheel_file(tmp_path: Path) -> None:
    projects = {"lexigram-demo": PROJECT}
    path = release.write_constraints(tmp_path, projects)
    wheel = (tmp_path / "lexigram_demo-1.2.3-py3-none-any.whl").resolve()
    assert path.read_text() == f"lexigram-demo @ {wheel.as_uri()}\n"


def test_every_check_runs_on_a_built_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "lexigram_demo-1.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in GOOD_FILES:
            archive.writestr(name, "")
        archive.writestr("lexigram/__init__.py", "")
        archive.writestr("lexigram_demo-1.2.3.dist-info/METADATA", GOOD_METADATA)
        archive.writestr("lexigram_demo-1.2.3.dist-info/RECORD", "")
    problems = release.check_wheel(wheel, PROJECT)
    assert len(problems) == 1
    assert "lexigram/__init__.py" in problems[0]


def test_a_sibling_required_below_the_workspace_version_is_reported() -> None:
    project = {
        "name": "lexigram-web",
        "dependencies": ["lexigram-di>=0.0.9", "starlette>=0.40"],
        "optional-dependencies": {"r": ["lexigram-result[x]"], "all": ["lexigram-web[r]"]},
    }
    names = {"lexigram-web", "lexigram-di", "lexigram-result"}
    problems = layout._sibling_bounds(project, names, "0.1.0")
    assert len(problems) == 2
    assert "write 'lexigram-di>=0.1.0'" in problems[0]
    assert "write 'lexigram-result[x]>=0.1.0'" in problems[1]
