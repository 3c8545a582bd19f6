import pytest

from lexigram.ratelimit import Rate, RateLimitDecision, RateLimitHeaders

ALLOWED = RateLimitDecision(True, 100, 42, 29.2, 0.0)
DENIED = RateLimitDecision(False, 100, 0, 30.0, 12.1)


def test_ietf_headers_are_structured_fields() -> None:
    headers = RateLimitHeaders(Rate.parse("100/minute"))(ALLOWED)
    assert headers == [
        ("RateLimit-Policy", '"default";q=100;w=60'),
        ("RateLimit", '"default";r=42;t=30'),
    ]


def test_ietf_headers_list_every_window() -> None:
    rate = Rate.parse("10/second;1000/day")
    decision = RateLimitDecision(
        True,
        10,
        9,
        1.0,
        0.0,
        (RateLimitDecision(True, 10, 9, 1.0, 0.0), RateLimitDecision(True, 1000, 999, 86400, 0.0)),
    )
    headers = dict(RateLimitHeaders(rate, name="api")(decision))
    assert headers["RateLimit-Policy"] == '"api-1s";q=10;w=1, "api-86400s";q=1000;w=86400'
    assert headers["RateLimit"] == '"api-1s";r=9;t=1, "api-86400s";r=999;t=86400'


def test_a_denial_adds_retry_after_in_whole_seconds() -> None:
    headers = dict(RateLimitHeaders(Rate.parse("100/minute"))(DENIED))
    assert headers["Retry-After"] == "13"
    assert headers["RateLimit"] == '"default";r=0;t=30'


def test_retry_after_is_at_least_one_second() -> None:
    decision = RateLimitDecision(False, 1, 0, 0.0, 0.0)
    assert dict(RateLimitHeaders(Rate.parse("1/second"))(decision))["Retry-After"] == "1"


def test_draft06_dialect() -> None:
    headers = RateLimitHeaders(Rate.parse("100/minute"), "draft06")(ALLOWED)
    assert headers == [
        ("RateLimit-Limit", "100"),
        ("RateLimit-Remaining", "42"),
        ("RateLimit-Reset", "30"),
        ("RateLimit-Policy", "100;w=60"),
    ]


def test_x_ratelimit_dialect() -> None:
    headers = RateLimitHeaders(Rate.parse("100/minute"), "x-ratelimit")(DENIED)
    assert headers == [
        ("X-RateLimit-Limit", "100"),
        ("X-RateLimit-Remaining", "0"),
        ("X-RateLimit-Reset", "30"),
        ("Retry-After", "13"),
    ]


def test_none_dialect_sends_only_retry_after() -> None:
    renderer = RateLimitHeaders(Rate.parse("100/minute"), "none")
    assert renderer(ALLOWED) == []
    assert renderer(DENIED) == [("Retry-After", "13")]


def test_headers_on_allowed_responses_can_be_turned_off() -> None:
    renderer = RateLimitHeaders(Rate.parse("100/minute"), on_allowed=False)
    assert renderer(ALLOWED) == []
    assert ("Retry-After", "13") in renderer(DENIED)


def test_policy_names_are_escaped_structured_strings() -> None:
    headers = dict(RateLimitHeaders(Rate.parse("1/second"), name='a"b')(ALLOWED))
    assert headers["RateLimit-Policy"].startswith('"a\\"b";q=1')


def test_unknown_dialect_is_rejected_at_construction() -> None:
    with pytest.raises(ValueError, match="'ietf'"):
        RateLimitHeaders(Rate.parse("1/second"), "rfc")  # type: ignore[arg-type]


def test_non_ascii_policy_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        RateLimitHeaders(Rate.parse("1/second"), name="café")
