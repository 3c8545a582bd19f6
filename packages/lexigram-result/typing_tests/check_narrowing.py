"""Type-checked, never run: pins narrowing and exhaustiveness under mypy and pyright.

A ``# type: ignore`` below marks an error that MUST be reported; both checkers are
configured to fail on an unused ignore, so these lines fail if the error disappears.
"""

from typing import assert_never, assert_type

from lexigram.result import Err, Ok, Result, is_err, is_ok


def exhaustive_match(result: Result[int, str]) -> str:
    match result:
        case Ok(value):
            assert_type(value, int)
            return str(value)
        case Err(error):
            assert_type(error, str)
            return error


def exhaustive_match_ends_in_never(result: Result[int, str]) -> None:
    match result:
        case Ok():
            pass
        case Err():
            pass
        case _:
            assert_never(result)


def missing_err_case_is_an_error(result: Result[int, str]) -> None:
    match result:
        case Ok():
            pass
        case _:
            assert_never(result)  # type: ignore[arg-type]


def is_ok_narrows_both_ways(result: Result[int, str]) -> None:
    if is_ok(result):
        assert_type(result, Ok[int])
        assert_type(result.value, int)
    else:
        assert_type(result, Err[str])


def is_err_narrows_both_ways(result: Result[int, str]) -> None:
    if is_err(result):
        assert_type(result.error, str)
    else:
        assert_type(result.value, int)


def isinstance_narrows(result: Result[int, str]) -> None:
    if isinstance(result, Ok):
        assert_type(result.unwrap(), int)
    else:
        assert_type(result.unwrap_err(), str)


def unwrap_of_err_never_returns(result: Err[str]) -> None:
    result.unwrap()
    print("unreachable")  # type: ignore[unreachable]
