import lexigram.ratelimit


def test_public_api_is_pinned() -> None:
    assert lexigram.ratelimit.__all__ == [
        "Algorithm",
        "BoundLimit",
        "HeaderDialect",
        "MemoryBackend",
        "MemoryLimit",
        "OnBackendError",
        "PathMatcher",
        "Rate",
        "RateItem",
        "RateLimitBackend",
        "RateLimitDecision",
        "RateLimitHeaders",
        "RateLimitHealth",
        "RateLimitMiddleware",
        "RateLimiter",
        "RatePolicy",
        "client_ip",
        "parse_rate",
        "too_many_requests",
    ]


def test_every_public_name_is_importable() -> None:
    for name in lexigram.ratelimit.__all__:
        assert getattr(lexigram.ratelimit, name) is not None
