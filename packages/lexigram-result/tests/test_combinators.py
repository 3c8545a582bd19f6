import pytest

from lexigram.result import Err, Ok, Result, UnwrapError


def test_is_ok_and_is_err_report_the_variant() -> None:
    assert Ok(1).is_ok() and not Ok(1).is_err()
    assert Err(1).is_err() and not Err(1).is_ok()


def test_unwrap_returns_the_ok_value() -> None:
    assert Ok(5).unwrap() == 5


def test_unwrap_on_err_raises_unwrap_error_carrying_the_result() -> None:
    err = Err("nope")
    with pytest.raises(UnwrapError, match="unwrap") as info:
        err.unwrap()
    assert info.value.result is err
    assert info.value.__cause__ is None


def test_unwrap_on_err_chains_an_exception_error() -> None:
    cause = KeyError("missing")
    with pytest.raises(UnwrapError) as info:
        Err(cause).unwrap()
    assert info.value.__cause__ is cause


def test_unwrap_err_returns_the_error() -> None:
    assert Err("e").unwrap_err() == "e"


def test_unwrap_err_on_ok_raises() -> None:
    ok = Ok(1)
    with pytest.raises(UnwrapError) as info:
        ok.unwrap_err()
    assert info.value.result is ok


def test_expect_returns_value_or_raises_with_the_message() -> None:
    assert Ok(1).expect("needed") == 1
    with pytest.raises(UnwrapError, match="config is required"):
        Err("x").expect("config is required")


def test_expect_err_returns_error_or_raises_with_the_message() -> None:
    assert Err("x").expect_err("needed") == "x"
    with pytest.raises(UnwrapError, match="should fail"):
        Ok(1).expect_err("should fail")


def test_unwrap_or_gives_the_default_only_for_err() -> None:
    assert Ok(1).unwrap_or(0) == 1
    assert Err("e").unwrap_or(0) == 0


def test_unwrap_or_else_computes_from_the_error() -> None:
    assert Ok(1).unwrap_or_else(len) == 1
    assert Err("four").unwrap_or_else(len) == 4


def test_ok_or_behaves_like_unwrap_or() -> None:
    assert Ok(1).ok_or(9) == 1
    assert Err("e").ok_or(9) == 9


def test_to_optional_gives_value_or_none() -> None:
    ok: Result[int, str] = Ok(1)
    err: Result[int, str] = Err("e")
    assert ok.to_optional() == 1
    assert err.to_optional() is None


def test_map_sync_transforms_only_ok() -> None:
    assert Ok(2).map_sync(lambda v: v * 10) == Ok(20)
    err: Result[int, str] = Err("e")
    assert err.map_sync(lambda v: v * 10) == Err("e")


def test_map_err_transforms_only_err() -> None:
    assert Err("e").map_err(str.upper) == Err("E")
    assert Ok(1).map_err(str.upper) == Ok(1)


def test_and_then_sync_chains_ok_and_short_circuits_err() -> None:
    def half(v: int) -> Result[int, str]:
        return Ok(v // 2) if v % 2 == 0 else Err(f"{v} is odd")

    assert Ok(8).and_then_sync(half).and_then_sync(half) == Ok(2)
    assert Ok(6).and_then_sync(half).and_then_sync(half) == Err("3 is odd")
    calls: list[int] = []

    def record(v: int) -> Result[int, str]:
        calls.append(v)
        return Ok(v)

    first: Result[int, str] = Err("first")
    assert first.and_then_sync(record) == Err("first")
    assert calls == []


def test_or_else_sync_recovers_err_and_keeps_ok() -> None:
    assert Err("e").or_else_sync(lambda e: Ok(len(e))) == Ok(1)
    assert Ok(1).or_else_sync(lambda e: Ok(0)) == Ok(1)


def test_filter_keeps_ok_when_the_predicate_holds() -> None:
    assert Ok(4).filter(lambda v: v > 3, "small") == Ok(4)


def test_filter_turns_ok_into_err_when_the_predicate_fails() -> None:
    assert Ok(2).filter(lambda v: v > 3, "small") == Err("small")


def test_filter_leaves_err_unchanged() -> None:
    assert Err("e").filter(lambda v: True, "small") == Err("e")


def test_flatten_unwraps_one_level_of_nesting() -> None:
    assert Ok(Ok(1)).flatten() == Ok(1)
    assert Ok(Err("inner")).flatten() == Err("inner")
    assert Err("outer").flatten() == Err("outer")


def test_flatten_of_a_non_nested_ok_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="flatten"):
        Ok(1).flatten()  # type: ignore[misc]


def test_inspect_sees_the_value_and_returns_the_same_result() -> None:
    seen: list[int] = []
    ok = Ok(1)
    assert ok.inspect(seen.append) is ok
    err: Result[int, str] = Err("e")
    assert err.inspect(seen.append) is err
    assert seen == [1]


def test_inspect_err_sees_the_error_and_returns_the_same_result() -> None:
    seen: list[str] = []
    err = Err("e")
    assert err.inspect_err(seen.append) is err
    assert Ok(1).inspect_err(seen.append) == Ok(1)
    assert seen == ["e"]


def test_match_method_calls_the_branch_of_the_variant() -> None:
    assert Ok(2).match(ok=lambda v: v + 1, err=lambda e: -1) == 3
    assert Err("ab").match(ok=lambda v: 0, err=len) == 2


def test_match_takes_its_two_callables_positionally() -> None:
    assert Ok(2).match(lambda v: v + 1, lambda e: -1) == 3
    assert Err("ab").match(lambda v: 0, len) == 2
