"""WebConfig reads the original layout's ``server`` and ``security`` sections, with a warning."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from lexigram.web import WebConfig, load_web_config


def test_a_server_section_becomes_host_and_port_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match=r"write web\.host, web\.port"):
        config = WebConfig.model_validate({"server": {"host": "0.0.0.0", "port": 9000}})
    assert (config.host, config.port, config.server) == ("0.0.0.0", 9000, "granian")


def test_workers_and_reload_move_out_of_the_server_section_too() -> None:
    with pytest.warns(DeprecationWarning, match=r"web\.workers, web\.reload"):
        config = WebConfig.model_validate({"server": {"workers": 4, "reload": True}})
    assert (config.workers, config.reload) == (4, True)


def test_a_security_section_becomes_security_headers_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match=r"write web\.security_headers"):
        config = WebConfig.model_validate({"security": {"hsts": True, "frame_options": None}})
    assert config.security_headers.hsts
    assert config.security_headers.frame_options is None


def test_server_naming_the_server_program_is_unchanged() -> None:
    assert WebConfig(server="uvicorn").server == "uvicorn"


def test_a_key_given_in_both_places_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"give web\.port only"):
        WebConfig.model_validate({"port": 1, "server": {"port": 2}})
    with pytest.raises(ValidationError, match=r"give web\.security_headers only"):
        WebConfig.model_validate({"security": {}, "security_headers": {}})


def test_an_unknown_server_key_names_the_keys_it_may_hold() -> None:
    with pytest.raises(ValidationError, match="may hold host, port, workers, reload"):
        WebConfig.model_validate({"server": {"host": "x", "timeout": 3}})


@pytest.mark.parametrize(
    ("key", "fix"),
    [
        ("rate_limit", r"RateLimitModule\.configure\(default_limit=\.\.\.\)"),
        ("enable_auth", "authentication is a guard"),
        ("app", r"web\.openapi"),
    ],
)
def test_a_key_whose_feature_moved_names_the_replacement(key: str, fix: str) -> None:
    with pytest.raises(ValidationError, match=fix):
        WebConfig.model_validate({key: {}})


def test_the_environment_can_still_use_the_server_section() -> None:
    environ = {"LEXIGRAM_WEB__SERVER__PORT": "8123"}
    with pytest.warns(DeprecationWarning, match=r"write web\.port"):
        config = load_web_config("/nonexistent-dir-for-config", environ=environ)
    assert config.port == 8123


@pytest.mark.extra("yaml")
def test_an_application_yaml_in_the_original_layout_loads(tmp_path: Path) -> None:
    (tmp_path / "application.yaml").write_text(
        "web:\n  server:\n    host: 0.0.0.0\n    port: 8080\n  security:\n    hsts: true\n"
    )
    with pytest.warns(DeprecationWarning, match="is deprecated") as caught:
        config = load_web_config(tmp_path, environ={})
    assert (config.host, config.port, config.security_headers.hsts) == ("0.0.0.0", 8080, True)
    assert len(caught) == 2
