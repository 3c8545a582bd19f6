from pathlib import Path

import pytest

from lexigram.web._config.loader import load_web_config
from lexigram.web._config.web_config import WebConfigError

pytestmark = pytest.mark.extra("yaml")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_files_the_defaults_apply(tmp_path: Path) -> None:
    config = load_web_config(tmp_path, environ={})
    assert config.port == 8000


def test_the_web_section_of_application_yaml_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "application.yaml",
        "database: {url: ignored}\n"
        "web:\n  port: 9001\n  cors:\n    allow_origins: [https://a.example]\n",
    )
    config = load_web_config(tmp_path, environ={})
    assert config.port == 9001
    assert config.cors.allow_origins == ("https://a.example",)


def test_placeholders_take_environment_values_or_defaults(tmp_path: Path) -> None:
    write(
        tmp_path,
        "application.yaml",
        "web:\n"
        "  host: ${BIND_HOST:0.0.0.0}\n"
        "  port: ${PORT}\n"
        "  openapi:\n    title: 'API on ${PORT} ($${literal})'\n"
        "  root_path: '${ROOT:}'\n",
    )
    config = load_web_config(tmp_path, environ={"PORT": "7000"})
    assert config.host == "0.0.0.0"
    assert config.port == 7000
    assert config.openapi.title == "API on 7000 (${literal})"
    assert config.root_path == ""


def test_an_unset_placeholder_without_default_names_the_variable_and_file(tmp_path: Path) -> None:
    path = write(tmp_path, "application.yaml", "web:\n  port: ${APP_PORT}\n")
    with pytest.raises(WebConfigError) as caught:
        load_web_config(tmp_path, environ={})
    message = str(caught.value)
    assert str(path) in message
    assert "web.port" in message
    assert "APP_PORT is not set" in message


def test_the_profile_file_is_merged_over_the_base_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "application.yaml",
        "web:\n  port: 8001\n  cors:\n    allow_origins: [https://a.example]\n    max_age: 5\n",
    )
    write(tmp_path, "application-staging.yaml", "web:\n  cors:\n    max_age: 60\n")
    config = load_web_config(tmp_path, profile="staging", environ={})
    assert config.port == 8001
    assert config.cors.allow_origins == ("https://a.example",)
    assert config.cors.max_age == 60


def test_the_profile_comes_from_lexigram_profile(tmp_path: Path) -> None:
    write(tmp_path, "application-dev.yaml", "web:\n  debug: true\n")
    config = load_web_config(tmp_path, environ={"LEXIGRAM_PROFILE": "dev"})
    assert config.debug is True


def test_a_selected_profile_without_its_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match=r"application-qa\.yaml does not exist"):
        load_web_config(tmp_path, profile="qa", environ={})


def test_a_profile_name_cannot_escape_the_directory(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match="not a valid profile name"):
        load_web_config(tmp_path, profile="../etc", environ={})


def test_environment_overrides_beat_the_files(tmp_path: Path) -> None:
    write(tmp_path, "application.yaml", "web:\n  port: 8001\n  workers: 2\n")
    environ = {
        "LEXIGRAM_WEB__PORT": "9000",
        "LEXIGRAM_WEB__CORS__ALLOW_ORIGINS": "https://a.example, https://b.example",
        "LEXIGRAM_WEB__TRUSTED_HOSTS": '["api.example.com"]',
        "LEXIGRAM_WEB__SECURITY_HEADERS__HSTS": "true",
        "LEXIGRAM_WEB__VALIDATION_STATUS": "400",
    }
    config = load_web_config(tmp_path, environ=environ)
    assert config.port == 9000
    assert config.workers == 2
    assert config.cors.allow_origins == ("https://a.example", "https://b.example")
    assert config.trusted_hosts == ("api.example.com",)
    assert config.security_headers.hsts is True
    assert config.validation_status == 400


def test_keyword_overrides_beat_the_environment(tmp_path: Path) -> None:
    config = load_web_config(
        tmp_path, environ={"LEXIGRAM_WEB__PORT": "9000"}, port=9100, cors={"max_age": 1}
    )
    assert config.port == 9100
    assert config.cors.max_age == 1


def test_an_unknown_key_names_the_key_the_file_and_the_valid_keys(tmp_path: Path) -> None:
    write(tmp_path, "application.yaml", "web:\n  port: 8001\n")
    path = write(tmp_path, "application-prod.yaml", "web:\n  cors:\n    allow_origin: [x]\n")
    with pytest.raises(WebConfigError) as caught:
        load_web_config(tmp_path, profile="prod", environ={})
    message = str(caught.value)
    assert "web.cors.allow_origin: unknown key; valid keys here: allow_credentials" in message
    assert f"[{path}]" in message


def test_a_bad_value_names_the_key_the_value_and_the_environment_variable(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError) as caught:
        load_web_config(tmp_path, environ={"LEXIGRAM_WEB__PORT": "eighty"})
    message = str(caught.value)
    assert "web.port: Input should be a valid integer" in message
    assert "(got 'eighty')" in message
    assert "[environment variable LEXIGRAM_WEB__PORT]" in message


def test_an_unknown_environment_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match=r"web\.prot: unknown key"):
        load_web_config(tmp_path, environ={"LEXIGRAM_WEB__PROT": "1"})


def test_the_production_profile_runs_the_security_checks(tmp_path: Path) -> None:
    write(tmp_path, "application-production.yaml", "web:\n  debug: true\n")
    with pytest.raises(WebConfigError, match="insecure configuration for production"):
        load_web_config(tmp_path, profile="production", environ={})


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "application.yaml", "web: [unclosed\n")
    with pytest.raises(WebConfigError, match=f"{path}: not valid YAML"):
        load_web_config(tmp_path, environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [("- a\n- b\n", "top level must be a mapping"), ("web: 3\n", "'web' must be a mapping")],
)
def test_a_file_of_the_wrong_shape_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "application.yaml", text)
    with pytest.raises(WebConfigError, match=message):
        load_web_config(tmp_path, environ={})


def test_a_malformed_placeholder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "application.yaml", "web:\n  host: '${not valid}'\n")
    with pytest.raises(WebConfigError, match="is not a placeholder"):
        load_web_config(tmp_path, environ={})


def test_malformed_json_in_an_environment_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match="LEXIGRAM_WEB__TRUSTED_HOSTS: not valid JSON"):
        load_web_config(tmp_path, environ={"LEXIGRAM_WEB__TRUSTED_HOSTS": "[oops"})


def test_the_working_directory_is_the_default_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "application.yaml", "web:\n  port: 8123\n")
    monkeypatch.chdir(tmp_path)
    assert load_web_config(environ={}).port == 8123


def test_the_production_profile_refuses_a_credentialed_match_anything_origin_regex(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "application-production.yaml",
        "web:\n  cors:\n    allow_origin_regex: '.*'\n    allow_credentials: true\n",
    )
    with pytest.raises(WebConfigError, match="anchor it to your own hosts"):
        load_web_config(tmp_path, profile="production", environ={})


def test_a_file_of_any_name_is_read_with_its_own_profile_files(tmp_path: Path) -> None:
    write(tmp_path, "deploy.yaml", "web:\n  port: 9001\n")
    write(tmp_path, "deploy-staging.yaml", "web:\n  workers: 3\n")
    write(tmp_path, "application.yaml", "web:\n  port: 1\n")
    config = load_web_config(tmp_path / "deploy.yaml", profile="staging", environ={})
    assert (config.port, config.workers) == (9001, 3)


def test_lexigram_config_is_the_default_location(tmp_path: Path) -> None:
    write(tmp_path, "application.yaml", "web:\n  max_connections: 64\n")
    assert load_web_config(environ={"LEXIGRAM_CONFIG": str(tmp_path)}).max_connections == 64
    chosen = write(tmp_path, "other.yaml", "web:\n  max_connections: 32\n")
    assert load_web_config(environ={"LEXIGRAM_CONFIG": str(chosen)}).max_connections == 32


def test_a_configuration_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match=r"missing.yaml does not exist .*LEXIGRAM_CONFIG"):
        load_web_config(environ={"LEXIGRAM_CONFIG": str(tmp_path / "missing.yaml")})
