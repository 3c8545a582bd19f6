"""Route path templates: parsing errors name the fix; formatting is the inverse of matching."""

import uuid

import pytest

from lexigram.web._routing.path_template import join_paths, parse_template


def test_parameters_must_fill_a_segment() -> None:
    with pytest.raises(ValueError, match="whole segment"):
        parse_template("/files/{name}.txt")


def test_unknown_converter_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown converter 'date'"):
        parse_template("/d/{day:date}")


def test_path_converter_must_be_last() -> None:
    with pytest.raises(ValueError, match="must come last"):
        parse_template("/f/{rest:path}/x")


def test_repeated_parameter_name_is_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        parse_template("/a/{id}/b/{id}")


def test_path_must_start_with_a_slash() -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        parse_template("users")


def test_format_fills_and_quotes_parameters() -> None:
    template = parse_template("/users/{name}/files/{rest:path}")
    assert template.format({"name": "a b", "rest": "x/y"}) == "/users/a%20b/files/x/y"


def test_format_converts_uuid_values() -> None:
    key = uuid.UUID(int=1)
    assert parse_template("/i/{k:uuid}").format({"k": key}) == f"/i/{key}"


def test_format_reports_missing_parameters() -> None:
    with pytest.raises(KeyError, match="missing path parameter"):
        parse_template("/users/{id:int}").format({})


def test_join_paths_normalises_slashes() -> None:
    assert join_paths("/api/", "/users") == "/api/users"
    assert join_paths("api", "users") == "/api/users"
    assert join_paths("/api", "/") == "/api"
    assert join_paths("", "/") == "/"
