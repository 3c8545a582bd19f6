import pytest

from lexigram.ratelimit import PathMatcher, RateLimiter


def test_a_path_entry_matches_itself_and_below() -> None:
    matcher = PathMatcher(["/docs"])
    assert matcher("/docs")
    assert matcher("/docs/")
    assert matcher("/docs/oauth2-redirect")
    assert not matcher("/docsx")
    assert not matcher("/api/docs")


def test_an_entry_ending_with_a_slash_matches_what_starts_with_it() -> None:
    matcher = PathMatcher(["/static/"])
    assert matcher("/static/app.js")
    assert not matcher("/static")


def test_glob_entries_match_the_whole_path() -> None:
    matcher = PathMatcher(["/internal/*/metrics", "*.ico"])
    assert matcher("/internal/a/b/metrics")
    assert matcher("/favicon.ico")
    assert not matcher("/internal/a/metrics/x")


def test_health_and_docs_are_excluded_by_default() -> None:
    limiter = RateLimiter()
    assert limiter.exclude == RateLimiter.DEFAULT_EXCLUDE
    assert limiter.is_excluded("/health")
    assert limiter.is_excluded("/docs/swagger")
    assert limiter.is_excluded("/openapi.json")
    assert not limiter.is_excluded("/users")


def test_an_entry_without_a_leading_slash_is_rejected() -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        PathMatcher(["health"])


def test_a_bare_string_is_rejected() -> None:
    with pytest.raises(TypeError, match="sequence of paths"):
        PathMatcher("/health")
