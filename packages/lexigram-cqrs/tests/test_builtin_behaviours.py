import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import pytest

from lexigram.cqrs import (
    Command,
    CommandBus,
    HandlerRegistry,
    LoggingBehaviour,
    MessageKind,
    MessageTimeoutError,
    MessageValidationError,
    RegistrationError,
    RetryBehaviour,
    TimeoutBehaviour,
    UnitOfWorkBehaviour,
    ValidationBehaviour,
    idempotent,
)


@idempotent
@dataclass(frozen=True)
class SetName(Command[str]):
    name: str


@dataclass(frozen=True)
class Charge(Command[str]):
    amount: int

    def validate_message(self) -> list[tuple[str, str]]:
        return [("amount", "must be positive")] if self.amount <= 0 else []


class Flaky:
    """Fails ``failures`` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def handle(self, message: Any) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"attempt {self.calls}")
        return "ok"


def registry_with(handler: object) -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register(MessageKind.COMMAND, SetName, handler)
    registry.register(MessageKind.COMMAND, Charge, handler)
    return registry


async def test_retry_repeats_an_idempotent_command_until_it_succeeds() -> None:
    flaky = Flaky(failures=2)
    bus = CommandBus(registry_with(flaky), behaviours=[RetryBehaviour(3, delay=0)])
    assert await bus.dispatch(SetName("a")) == "ok"
    assert flaky.calls == 3


async def test_retry_never_repeats_a_command_not_marked_idempotent() -> None:
    flaky = Flaky(failures=1)
    bus = CommandBus(registry_with(flaky), behaviours=[RetryBehaviour(3, delay=0)])
    with pytest.raises(ConnectionError):
        await bus.dispatch(Charge(5))
    assert flaky.calls == 1


async def test_retry_gives_up_after_the_attempts_with_a_note() -> None:
    flaky = Flaky(failures=10)
    bus = CommandBus(registry_with(flaky), behaviours=[RetryBehaviour(2, delay=0)])
    with pytest.raises(ConnectionError) as caught:
        await bus.dispatch(SetName("a"))
    assert flaky.calls == 2
    assert caught.value.__notes__ == ["SetName failed 2 times; not retried again"]


async def test_retry_does_not_repeat_errors_outside_retry_on() -> None:
    flaky = Flaky(failures=1)
    behaviour = RetryBehaviour(3, delay=0, retry_on=(TimeoutError,))
    bus = CommandBus(registry_with(flaky), behaviours=[behaviour])
    with pytest.raises(ConnectionError):
        await bus.dispatch(SetName("a"))
    assert flaky.calls == 1


def test_retry_rejects_bad_settings() -> None:
    with pytest.raises(RegistrationError, match="at least 1"):
        RetryBehaviour(0)
    with pytest.raises(RegistrationError, match="backoff"):
        RetryBehaviour(backoff=0.5)


async def test_timeout_cancels_a_slow_handler() -> None:
    never = asyncio.Event()

    class Slow:
        async def handle(self, message: Any) -> str:
            await never.wait()
            return "late"

    bus = CommandBus(registry_with(Slow()), behaviours=[TimeoutBehaviour(0.01)])
    with pytest.raises(
        MessageTimeoutError, match=r"SetName exceeded its 0\.01 s timeout"
    ) as caught:
        await bus.dispatch(SetName("a"))
    assert caught.value.message_type is SetName
    assert isinstance(caught.value, TimeoutError)


async def test_timeout_per_type_overrides_and_none_disables() -> None:
    behaviour = TimeoutBehaviour(5, per_type={Charge: None})
    assert behaviour.limit_for(SetName) == 5
    assert behaviour.limit_for(Charge) is None
    assert not behaviour.applies_to(Charge)
    bus = CommandBus(registry_with(Flaky(0)), behaviours=[behaviour])
    assert await bus.dispatch(Charge(1)) == "ok"


async def test_a_timeout_error_raised_by_the_handler_is_not_renamed() -> None:
    class Raises:
        async def handle(self, message: Any) -> str:
            raise TimeoutError("upstream")

    bus = CommandBus(registry_with(Raises()), behaviours=[TimeoutBehaviour(5)])
    with pytest.raises(TimeoutError, match="upstream") as caught:
        await bus.dispatch(SetName("a"))
    assert not isinstance(caught.value, MessageTimeoutError)


def test_timeout_rejects_a_non_positive_limit() -> None:
    with pytest.raises(RegistrationError, match="positive number"):
        TimeoutBehaviour(0)


async def test_validation_rejects_an_invalid_message_before_the_handler() -> None:
    flaky = Flaky(0)
    bus = CommandBus(registry_with(flaky), behaviours=[ValidationBehaviour()])
    with pytest.raises(MessageValidationError) as caught:
        await bus.dispatch(Charge(0))
    assert caught.value.errors == [
        {"loc": ["amount"], "msg": "must be positive", "type": "value_error"}
    ]
    assert flaky.calls == 0
    assert await bus.dispatch(Charge(3)) == "ok"


async def test_validation_runs_registered_validators_for_a_type() -> None:
    def no_blank(message: SetName) -> list[str]:
        return ["name is blank"] if not message.name.strip() else []

    bus = CommandBus(registry_with(Flaky(0)), behaviours=[ValidationBehaviour({SetName: no_blank})])
    with pytest.raises(MessageValidationError, match="SetName is invalid: name is blank"):
        await bus.dispatch(SetName(" "))


def test_validation_skips_types_without_validators() -> None:
    assert not ValidationBehaviour().applies_to(SetName)
    assert ValidationBehaviour().applies_to(Charge)


class RecordingUnit:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def commit(self) -> None:
        self.log.append("commit")

    async def rollback(self) -> None:
        self.log.append("rollback")


class ErrValue:
    def is_err(self) -> bool:
        return True


async def test_unit_of_work_commits_on_success() -> None:
    log: list[str] = []
    behaviour = UnitOfWorkBehaviour(lambda: RecordingUnit(log))
    bus = CommandBus(registry_with(Flaky(0)), behaviours=[behaviour])
    assert await bus.dispatch(SetName("a")) == "ok"
    assert log == ["commit"]


async def test_unit_of_work_rolls_back_on_an_exception() -> None:
    log: list[str] = []

    async def make() -> RecordingUnit:
        return RecordingUnit(log)

    bus = CommandBus(registry_with(Flaky(1)), behaviours=[UnitOfWorkBehaviour(make)])
    with pytest.raises(ConnectionError):
        await bus.dispatch(Charge(1))
    assert log == ["rollback"]


async def test_unit_of_work_rolls_back_on_an_error_result() -> None:
    log: list[str] = []
    err = ErrValue()

    class ReturnsErr:
        async def handle(self, message: Any) -> ErrValue:
            return err

    behaviour = UnitOfWorkBehaviour(lambda: RecordingUnit(log))
    bus = CommandBus(registry_with(ReturnsErr()), behaviours=[behaviour])
    outcome: object = await bus.dispatch(Charge(1))
    assert outcome is err
    assert log == ["rollback"]


async def test_logging_records_the_message_type_and_duration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.cqrs")
    bus = CommandBus(registry_with(Flaky(0)), behaviours=[LoggingBehaviour(logger)])
    with caplog.at_level(logging.DEBUG, logger="test.cqrs"):
        message = SetName("a")
        await bus.dispatch(message)
    (record,) = caplog.records
    assert record.getMessage().startswith("SetName handled in ")
    assert record.__dict__["message_id"] == message.message_metadata.message_id


async def test_logging_records_a_failure_and_reraises(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.cqrs.fail")
    bus = CommandBus(registry_with(Flaky(5)), behaviours=[LoggingBehaviour(logger)])
    with caplog.at_level(logging.DEBUG, logger="test.cqrs.fail"), pytest.raises(ConnectionError):
        await bus.dispatch(Charge(1))
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert "Charge failed after" in record.getMessage()
    assert record.exc_info is not None
