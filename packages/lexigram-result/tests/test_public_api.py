import lexigram.result


def test_public_api_is_pinned() -> None:
    assert lexigram.result.__all__ == [
        "Err",
        "Ok",
        "OkErr",
        "Result",
        "UnwrapError",
        "as_async_result",
        "as_result",
        "collect",
        "from_exception",
        "is_err",
        "is_ok",
        "partition",
    ]


def test_every_public_name_is_importable() -> None:
    for name in lexigram.result.__all__:
        assert getattr(lexigram.result, name) is not None
