import pickle

import pytest

from lexigram.result import Err, Ok, OkErr, Result


def test_ok_equals_ok_with_equal_value() -> None:
    assert Ok(1) == Ok(1)
    assert Ok(1) != Ok(2)


def test_err_equals_err_with_equal_error() -> None:
    assert Err("e") == Err("e")
    assert Err("e") != Err("f")


def test_ok_never_equals_err_with_the_same_payload() -> None:
    assert Ok(1) != Err(1)
    assert Err(1) != Ok(1)


def test_variants_do_not_equal_raw_values() -> None:
    assert Ok(1) != 1
    assert Err("e") != "e"


def test_equal_results_hash_equal_and_work_as_keys() -> None:
    assert hash(Ok(1)) == hash(Ok(1))
    assert len({Ok(1), Ok(1), Err(1)}) == 2


def test_repr_shows_variant_and_payload() -> None:
    assert repr(Ok("x")) == "Ok('x')"
    assert repr(Err(ValueError("bad"))) == "Err(ValueError('bad'))"


def test_ok_value_is_read_only() -> None:
    ok = Ok(1)
    with pytest.raises(AttributeError):
        ok.value = 2  # type: ignore[misc]
    assert ok.value == 1


def test_err_error_is_read_only() -> None:
    err = Err("e")
    with pytest.raises(AttributeError):
        err.error = "f"  # type: ignore[misc]
    assert err.error == "e"


def test_variants_reject_new_attributes() -> None:
    with pytest.raises(AttributeError):
        Ok(1).extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        Err(1).extra = 1  # type: ignore[attr-defined]


def test_variants_are_slotted() -> None:
    assert not hasattr(Ok(1), "__dict__")
    assert not hasattr(Err(1), "__dict__")


def test_variants_pickle_round_trip() -> None:
    assert pickle.loads(pickle.dumps(Ok([1, 2]))) == Ok([1, 2])
    assert pickle.loads(pickle.dumps(Err("e"))) == Err("e")


def test_match_binds_the_payload_of_each_variant() -> None:
    def describe(result: Result[int, str]) -> str:
        match result:
            case Ok(value):
                return f"ok {value}"
            case Err(error):
                return f"err {error}"

    assert describe(Ok(3)) == "ok 3"
    assert describe(Err("boom")) == "err boom"


def test_okerr_tuple_supports_isinstance() -> None:
    assert isinstance(Ok(1), OkErr)
    assert isinstance(Err(1), OkErr)
    assert not isinstance(1, OkErr)


def test_result_alias_is_subscriptable_at_runtime() -> None:
    alias = Result[int, str]
    assert Ok[int] in alias.__args__
    assert Err[str] in alias.__args__
