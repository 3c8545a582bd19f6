"""``@version`` / ``@api_version`` record metadata; bad versions and dates fail when declared."""

import datetime as dt

import pytest
from pydantic import ValidationError

from lexigram.web import ApiVersionMetadata, Controller, VersioningConfig, api_version, version


def test_api_version_records_metadata_on_the_class() -> None:
    @api_version(2)
    class Users(Controller):
        prefix = "/users"

    meta = Users.__api_version_meta__  # type: ignore[attr-defined]
    assert isinstance(meta, ApiVersionMetadata)
    assert (meta.version, meta.deprecated, meta.url_prefix) == ("2", False, "/v2")
    assert Users.__api_version__ == "2"  # type: ignore[attr-defined]


def test_version_is_api_version_without_deprecation() -> None:
    @version("v3")
    async def handler() -> None: ...

    meta = handler.__api_version_meta__  # type: ignore[attr-defined]
    assert meta == ApiVersionMetadata(version="3")


def test_versions_are_normalised_and_checked() -> None:
    assert api_version("2.1")(lambda: None).__api_version__ == "2.1"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="not an API version"):
        api_version("two words")
    with pytest.raises(TypeError, match="int or a str"):
        api_version(True)


def test_deprecation_headers_follow_rfc_9745_and_8594() -> None:
    meta = api_version(
        1,
        deprecated="2025-06-30",
        sunset="2025-12-31",
        link="https://example.com/deprecations/v1",
        sunset_link="https://example.com/sunset",
    )(lambda: None).__api_version_meta__  # type: ignore[attr-defined]
    deprecated_at = int(dt.datetime(2025, 6, 30, tzinfo=dt.UTC).timestamp())
    assert meta.response_headers() == [
        ("Deprecation", f"@{deprecated_at}"),
        ("Sunset", "Wed, 31 Dec 2025 00:00:00 GMT"),
        ("Link", '<https://example.com/deprecations/v1>; rel="deprecation"'),
        ("Link", '<https://example.com/sunset>; rel="sunset"'),
    ]


def test_deprecated_without_a_date_sends_true() -> None:
    meta = api_version(1, deprecated=True)(lambda: None).__api_version_meta__  # type: ignore[attr-defined]
    assert meta.response_headers() == [("Deprecation", "true")]


def test_a_bad_sunset_date_fails_at_declaration_naming_the_format() -> None:
    with pytest.raises(ValueError, match="ISO 8601 date"):
        api_version(1, deprecated=True, sunset="next spring")


def test_a_link_with_control_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="without CR, LF"):
        api_version(1, deprecated=True, link="https://x\r\nSet-Cookie: a=b")


def test_two_different_versions_on_one_target_are_refused() -> None:
    with pytest.raises(TypeError, match="one handler \\(or controller\\) per version"):

        @api_version(1)
        @api_version(2)
        async def handler() -> None: ...


def test_versioning_config_validates_its_settings() -> None:
    assert VersioningConfig(default_version="v2").default_version == "2"
    with pytest.raises(ValidationError, match="url_format"):
        VersioningConfig(url_format="/api")
    with pytest.raises(ValidationError, match="valid HTTP header name"):
        VersioningConfig(header_name="X API")
    with pytest.raises(ValidationError):
        VersioningConfig(unknown_version_status=500)  # type: ignore[arg-type]
