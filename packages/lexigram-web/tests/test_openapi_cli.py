"""``lexigram openapi APP [--yaml] [--output FILE]``, run in-process."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli_runs import refused
from openapi_spec_validator import validate

from lexigram.web._serve.cli import main

APP_SOURCE = (
    "from pydantic import BaseModel\n"
    "from lexigram.web import LexigramApp\n"
    "class Item(BaseModel):\n"
    "    name: str\n"
    "app = LexigramApp(openapi={'enabled': False, 'title': 'Exported'})\n"
    "@app.get('/items/{item_id:int}')\n"
    "async def read_item(item_id: int, q: str | None = None) -> Item:\n"
    "    '''Read one item.'''\n"
    "    return Item(name=str(item_id))\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding an app module, importable by the command."""
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    monkeypatch.chdir(tmp_path)
    for name in list(sys.modules):
        if name.startswith("openapi_cli_"):
            monkeypatch.delitem(sys.modules, name)
    (tmp_path / "openapi_cli_case.py").write_text(APP_SOURCE)
    return tmp_path


def test_prints_the_document_as_json_even_when_serving_is_disabled(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["openapi", "openapi_cli_case:app"]) == 0
    document = json.loads(capsys.readouterr().out)
    validate(document)
    assert document["info"]["title"] == "Exported"
    assert document["paths"]["/items/{item_id}"]["get"]["summary"] == "Read one item."


def test_writes_the_document_to_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "openapi.json"
    assert main(["openapi", "openapi_cli_case:app", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text())["openapi"] == "3.1.0"


@pytest.mark.extra("yaml")
def test_prints_yaml_with_the_yaml_extra(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yaml: Any = importlib.import_module("yaml")
    assert main(["openapi", "openapi_cli_case:app", "--yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("openapi: 3.1.0\n")
    assert yaml.safe_load(out)["info"]["title"] == "Exported"


def test_yaml_without_pyyaml_names_the_extra(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    assert refused(capsys, ["openapi", "openapi_cli_case:app", "--yaml"]) == (
        'lexigram: error: --yaml needs PyYAML: pip install "lexigram-web[yaml]"\n'
    )


def test_an_application_without_a_document_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = "async def app(scope, receive, send): ...\n"
    err = refused(capsys, ["openapi", "openapi_cli_plain:app"], openapi_cli_plain=source)
    assert "has no OpenAPI document" in err


def test_an_app_that_fails_to_build_its_document_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        "from lexigram.web import LexigramApp\n"
        "app = LexigramApp()\n"
        "@app.get('/a', operation_id='same')\n"
        "async def a() -> None: ...\n"
        "@app.get('/b', operation_id='same')\n"
        "async def b() -> None: ...\n"
    )
    err = refused(capsys, ["openapi", "openapi_cli_broken:app"], openapi_cli_broken=source)
    assert err.startswith("lexigram: error: starting openapi_cli_broken:app")
    assert "operation_id 'same'" in err
