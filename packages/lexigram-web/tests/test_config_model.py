import os.path
from typing import Any

import pytest
from pydantic import ValidationError

from lexigram.web._config.web_config import CORSConfig, OpenAPIConfig, WebConfig, WebConfigError


def allow(*args: Any, **kwargs: Any) -> bool:
    return True


def test_defaults_are_safe_for_production() -> None:
    config = WebConfig()
    assert (config.host, config.port, config.workers, config.server) == (
        "127.0.0.1",
        8000,
        1,
        "granian",
    )
    assert config.debug is False
    assert config.graceful_timeout == 30.0
    assert config.validation_status == 422
    assert config.request_id_header == "X-Request-ID"
    assert config.validate_production_security() is config


def test_keywords_build_a_config_and_nested_sections_accept_mappings() -> None:
    config = WebConfig.model_validate(
        {"port": 9000, "cors": {"allow_origins": ["https://a.example"]}, "validation_status": 400}
    )
    assert config.port == 9000
    assert config.cors.allow_origins == ("https://a.example",)
    assert config.cors.enabled
    assert config.validation_status == 400


def test_the_config_is_immutable_and_copies_with_updates() -> None:
    config = WebConfig()
    with pytest.raises(ValidationError, match="frozen"):
        config.port = 1
    assert config.model_copy(update={"port": 1}).port == 1


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="porrt"):
        WebConfig(porrt=1)  # type: ignore[call-arg]


def test_the_validation_status_is_422_or_400() -> None:
    with pytest.raises(ValidationError, match=r"must be 422 .* or 400"):
        WebConfig(validation_status=401)


def test_a_wildcard_origin_with_credentials_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="list the allowed origins explicitly"):
        CORSConfig(allow_origins=("*",), allow_credentials=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("trusted_hosts", ("api.*.com",), "not a host pattern"),
        ("trusted_proxies", ("10.0.0.300",), "not an IP address or network"),
        ("request_id_header", "X Request", "not a valid HTTP header name"),
        ("root_path", "api/", "must start with '/'"),
        ("port", 70000, "less than or equal to 65535"),
    ],
)
def test_bad_values_are_refused_with_a_message(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WebConfig.model_validate({field: value})


def test_trusted_proxies_take_addresses_networks_or_any() -> None:
    proxies = ("10.0.0.1", "10.0.0.0/8", "::1", "*")
    assert WebConfig(trusted_proxies=proxies).trusted_proxies == proxies


def test_docs_urls_must_be_absolute_paths() -> None:
    with pytest.raises(ValidationError, match="absolute path"):
        OpenAPIConfig(docs_url="docs")


def test_debug_routes_auth_accepts_a_callable_or_an_import_string() -> None:
    assert WebConfig(debug_routes_auth=allow).debug_routes_auth is allow
    imported = WebConfig.model_validate({"debug_routes_auth": "os.path:join"})
    assert imported.debug_routes_auth is os.path.join


def test_production_refuses_debug_mode_naming_the_fix() -> None:
    with pytest.raises(WebConfigError, match=r"set web.debug: false"):
        WebConfig(debug=True).validate_production_security()


def test_production_refuses_debug_routes_without_auth_naming_the_fix() -> None:
    with pytest.raises(WebConfigError, match=r"set web\.debug_routes_auth to a guard"):
        WebConfig(debug_routes=True).validate_production_security()


def test_production_accepts_debug_routes_behind_auth() -> None:
    config = WebConfig(debug_routes=True, debug_routes_auth=allow)
    assert config.validate_production_security() is config


def test_production_lists_every_problem_at_once() -> None:
    with pytest.raises(WebConfigError) as caught:
        WebConfig(debug=True, debug_routes=True).validate_production_security()
    assert str(caught.value).count("\n- ") == 2


@pytest.mark.parametrize("seconds", [0, -1, float("inf")])
def test_the_graceful_timeout_must_be_a_positive_finite_number(seconds: float) -> None:
    with pytest.raises(ValidationError, match="graceful_timeout"):
        WebConfig(graceful_timeout=seconds)


def test_a_match_anything_origin_regex_with_credentials_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="anchor it to your own hosts"):
        WebConfig.model_validate({"cors": {"allow_origin_regex": ".*", "allow_credentials": True}})


def test_the_null_origin_with_credentials_is_refused_with_the_fix() -> None:
    with pytest.raises(ValidationError, match="remove 'null'"):
        CORSConfig(allow_origins=("null",), allow_credentials=True)
