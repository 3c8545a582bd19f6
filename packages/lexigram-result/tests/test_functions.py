from collections.abc import Iterator

import pytest

from lexigram.result import (
    Err,
    Ok,
    Result,
    as_async_result,
    as_result,
    collect,
    from_exception,
    is_err,
    is_ok,
    partition,
)


def test_is_ok_and_is_err_functions_tell_the_variant() -> None:
    assert is_ok(Ok(1)) and not is_err(Ok(1))
    assert is_err(Err(1)) and not is_ok(Err(1))


def test_from_exception_wraps_the_exception_in_err() -> None:
    exc = ValueError("bad")
    assert from_exception(exc) == Err(exc)
    assert Err.from_exception(exc).error is exc


def test_from_exception_accepts_the_ok_type_positionally_and_by_name() -> None:
    exc = KeyError("k")
    assert from_exception(exc, int) == Err(exc)
    assert from_exception(exc, ok_type=str) == Err(exc)
    assert Err.from_exception(exc, int) == Err(exc)


def test_from_exception_of_a_value_that_is_not_an_exception_names_err() -> None:
    with pytest.raises(TypeError, match=r"use Err\(value\)"):
        from_exception("not an exception")  # type: ignore[call-overload]


def test_collect_gathers_all_ok_values() -> None:
    assert collect([Ok(1), Ok(2)]) == Ok([1, 2])
    assert collect([]) == Ok([])


def test_collect_stops_at_the_first_err() -> None:
    consumed: list[int] = []

    def results() -> Iterator[Result[int, str]]:
        sequence: list[Result[int, str]] = [Ok(1), Err("a"), Err("b")]
        for i, result in enumerate(sequence):
            consumed.append(i)
            yield result

    assert collect(results()) == Err("a")
    assert consumed == [0, 1]


def test_partition_splits_values_and_errors_in_order() -> None:
    mixed: list[Result[int, str]] = [Ok(1), Err("a"), Ok(2), Err("b")]
    assert partition(mixed) == ([1, 2], ["a", "b"])


def test_as_result_wraps_return_values_in_ok() -> None:
    parse = as_result(ValueError)(int)
    assert parse("12") == Ok(12)


def test_as_result_turns_listed_exceptions_into_err() -> None:
    result = as_result(ValueError)(int)("x")
    assert isinstance(result, Err)
    assert isinstance(result.error, ValueError)


def test_as_result_lets_unlisted_exceptions_propagate() -> None:
    @as_result(ValueError)
    def explode() -> int:
        raise KeyError("k")

    with pytest.raises(KeyError):
        explode()


def test_as_result_keeps_the_function_name() -> None:
    @as_result(ValueError)
    def compute() -> int:
        return 1

    assert compute.__name__ == "compute"


def test_as_result_requires_exception_types() -> None:
    with pytest.raises(TypeError, match="exception types"):
        as_result()


def test_as_result_rejects_non_exception_arguments() -> None:
    with pytest.raises(TypeError, match="exception classes"):
        as_result(int)  # type: ignore[type-var]


def test_as_result_rejects_coroutine_functions() -> None:
    async def fetch() -> int:
        return 1

    with pytest.raises(TypeError, match="as_async_result"):
        as_result(ValueError)(fetch)


async def test_as_async_result_wraps_awaited_values() -> None:
    @as_async_result(ValueError)
    async def parse(text: str) -> int:
        return int(text)

    assert await parse("7") == Ok(7)
    failed = await parse("x")
    assert isinstance(failed, Err) and isinstance(failed.error, ValueError)


def test_as_async_result_requires_exception_types() -> None:
    with pytest.raises(TypeError, match="exception types"):
        as_async_result()
