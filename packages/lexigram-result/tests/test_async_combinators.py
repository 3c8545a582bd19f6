from lexigram.result import Err, Ok, Result


async def double(value: int) -> int:
    return value * 2


async def checked_half(value: int) -> Result[int, str]:
    return Ok(value // 2) if value % 2 == 0 else Err("odd")


async def recover(error: str) -> Result[int, str]:
    return Ok(len(error))


async def test_map_awaits_the_operation_for_ok() -> None:
    assert await Ok(3).map(double) == Ok(6)


async def test_map_skips_the_operation_for_err() -> None:
    err: Result[int, str] = Err("e")
    assert await err.map(double) == Err("e")


async def test_async_map_is_an_alias_of_map() -> None:
    assert await Ok(3).async_map(double) == Ok(6)
    assert await Err("e").async_map(double) == Err("e")


async def test_and_then_chains_awaitable_results() -> None:
    assert await Ok(4).and_then(checked_half) == Ok(2)
    assert await Ok(3).and_then(checked_half) == Err("odd")
    assert await Err("e").and_then(checked_half) == Err("e")


async def test_or_else_recovers_with_an_awaitable() -> None:
    assert await Err("abc").or_else(recover) == Ok(3)
    assert await Ok(1).or_else(recover) == Ok(1)
