import sys
from pathlib import Path

import pytest

from lexigram.web._config.loader import load_web_config


def test_reading_yaml_without_pyyaml_names_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "application.yaml").write_text("web:\n  port: 9000\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` fail
    with pytest.raises(ImportError, match=r'pip install "lexigram-web\[yaml\]"'):
        load_web_config(tmp_path, environ={})


def test_environment_overrides_need_no_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    config = load_web_config(tmp_path, environ={"LEXIGRAM_WEB__PORT": "9002"}, debug=True)
    assert (config.port, config.debug) == (9002, True)
