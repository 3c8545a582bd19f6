"""Type-checked, never run: pins the generic signatures of the combinators."""

from typing import assert_type

from lexigram.result import (
    Err,
    Ok,
    Result,
    as_async_result,
    as_result,
    collect,
    from_exception,
    is_ok,
    partition,
)


def half(value: int) -> Result[float, str]:
    return Ok(value / 2)


async def fetch(value: int) -> str:
    return str(value)


async def lookup(value: int) -> Result[bytes, str]:
    return Ok(b"x")


async def combinators(result: Result[int, str]) -> None:
    assert_type(result.map_sync(str), Ok[str] | Err[str])
    assert_type(result.map_err(len), Ok[int] | Err[int])
    assert_type(result.and_then_sync(half), Ok[float] | Err[str])
    assert_type(result.unwrap_or(None), int | None)
    assert_type(result.unwrap_or_else(len), int)
    assert_type(result.to_optional(), int | None)
    assert_type(result.filter(lambda v: v > 0, "neg"), Ok[int] | Err[str])
    assert_type(result.match(ok=str, err=lambda e: e), str)
    assert_type(result.match(str, lambda e: e), str)
    assert_type(await result.map(fetch), Ok[str] | Err[str])
    assert_type(await result.and_then(lookup), Ok[bytes] | Err[str])
    chain = result.map_sync(lambda v: v + 1).and_then_sync(half).unwrap_or(0.0)
    assert_type(chain, float)


def nested(result: Result[Result[int, str], str]) -> None:
    assert_type(result.flatten(), Ok[int] | Err[str])


def helpers(results: list[Result[int, str]]) -> None:
    assert_type(collect(results), Ok[list[int]] | Err[str])
    assert_type(partition(results), tuple[list[int], list[str]])


@as_result(ValueError)
def parse(text: str) -> int:
    return int(text)


@as_async_result(OSError)
async def read(path: str) -> bytes:
    return b""


async def decorated() -> None:
    assert_type(parse("1"), Ok[int] | Err[ValueError])
    assert_type(await read("p"), Ok[bytes] | Err[OSError])


def flatten_needs_a_nested_result(result: Ok[int]) -> None:
    result.flatten()  # type: ignore[misc]


def from_exception_types(exc: KeyError) -> None:
    assert_type(from_exception(exc), Err[KeyError])
    assert_type(from_exception(exc, int), Ok[int] | Err[KeyError])
    assert_type(Err.from_exception(exc, ok_type=str), Ok[str] | Err[KeyError])


def from_exception_is_a_result_that_still_narrows(exc: KeyError) -> Result[int, KeyError]:
    result = from_exception(exc, int)
    if is_ok(result):
        assert_type(result.value, int)
    else:
        assert_type(result.error, KeyError)
    return result


def from_exception_needs_an_exception() -> None:
    from_exception("text")  # type: ignore[call-overload]
