import lexigram.web.middleware


def test_the_middleware_public_api_is_pinned() -> None:
    assert lexigram.web.middleware.__all__ == [
        "BodySizeLimitMiddleware",
        "CORSMiddleware",
        "DefaultMiddlewareStack",
        "GZipMiddleware",
        "QuerySanitizerMiddleware",
        "RequestIDLogFilter",
        "RequestIDMiddleware",
        "SecurityHeadersMiddleware",
        "TrustedHostMiddleware",
        "apply_middleware",
        "current_request_id",
        "get_request_id",
        "request_id_of",
    ]


def test_every_middleware_name_is_importable() -> None:
    for name in lexigram.web.middleware.__all__:
        assert getattr(lexigram.web.middleware, name) is not None
