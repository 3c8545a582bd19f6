import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

import pydantic
import pytest

from lexigram.cqrs import (
    Command,
    Event,
    MessageMetadata,
    Query,
    idempotent,
    is_idempotent,
    metadata_of,
)


@dataclass(frozen=True)
class CreateUser(Command[int]):
    name: str
    admin: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class RenameUser(Command[None]):
    user_id: int
    name: str


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: int


class GetUser(pydantic.BaseModel, Query[str]):
    model_config = pydantic.ConfigDict(frozen=True)
    user_id: int


def test_frozen_dataclass_with_required_fields_subclasses_command_without_error() -> None:
    # The bases add no defaulted fields, so required fields never follow a default.
    @dataclass(frozen=True)
    class PlaceOrder(Command[int]):
        order_id: int
        quantity: int

    assert PlaceOrder(1, 2).quantity == 2
    assert [f.name for f in dataclasses.fields(PlaceOrder)] == ["order_id", "quantity"]


def test_message_bases_declare_no_dataclass_fields() -> None:
    assert [f.name for f in dataclasses.fields(CreateUser)] == ["name", "admin"]
    assert CreateUser("ann") == CreateUser("ann")


def test_kw_only_slotted_dataclass_message_works() -> None:
    message = RenameUser(user_id=1, name="bo")
    assert message.message_metadata.message_id
    assert message == RenameUser(user_id=1, name="bo")


def test_pydantic_model_message_works() -> None:
    query = GetUser(user_id=3)
    assert query.message_metadata.message_id
    assert query.model_dump() == {"user_id": 3}
    assert query == GetUser(user_id=3)
    assert query.model_dump_json() == '{"user_id":3}'


def test_metadata_is_created_once_and_kept() -> None:
    message = CreateUser("ann")
    first = message.message_metadata
    assert message.message_metadata is first
    assert metadata_of(message) is first
    assert isinstance(first, MessageMetadata)


def test_root_metadata_correlates_to_itself() -> None:
    metadata = CreateUser("ann").message_metadata
    assert metadata.correlation_id == metadata.message_id
    assert metadata.causation_id is None
    assert metadata.timestamp.tzinfo is UTC
    assert metadata.timestamp <= datetime.now(UTC)


def test_metadata_stays_out_of_equality_hash_and_repr() -> None:
    first, second = CreateUser("ann"), CreateUser("ann")
    assert first.message_metadata.message_id != second.message_metadata.message_id
    assert first == second
    assert hash(first) == hash(second)
    assert repr(first) == "CreateUser(name='ann', admin=False)"
    assert dataclasses.asdict(first) == {"name": "ann", "admin": False}


def test_caused_by_copies_the_correlation_and_records_the_cause() -> None:
    command = CreateUser("ann").correlated_with("req-1")
    event = UserCreated(7).caused_by(command)
    assert event.message_metadata.correlation_id == "req-1"
    assert event.message_metadata.causation_id == command.message_metadata.message_id


def test_correlated_with_keeps_an_existing_message_id() -> None:
    message = CreateUser("ann")
    message_id = message.message_metadata.message_id
    assert message.correlated_with("req-2").message_metadata.message_id == message_id


def test_correlated_with_rejects_an_empty_id() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        CreateUser("ann").correlated_with("")


def test_metadata_child_links_to_its_parent() -> None:
    parent = MessageMetadata()
    child = parent.child()
    assert child.correlation_id == parent.correlation_id
    assert child.causation_id == parent.message_id
    assert child.message_id != parent.message_id


def test_metadata_of_an_object_without_a_dict_names_the_fix() -> None:
    @dataclass(frozen=True, slots=True)
    class Plain:
        x: int

    with pytest.raises(TypeError, match="subclass Command, Query or Event"):
        metadata_of(Plain(1))


def test_idempotent_marks_the_type_and_its_subclasses() -> None:
    @idempotent
    @dataclass(frozen=True)
    class SetName(Command[None]):
        name: str

    class SetNameV2(SetName):
        pass

    assert is_idempotent(SetName)
    assert is_idempotent(SetNameV2)
    assert not is_idempotent(CreateUser)


def test_idempotent_works_on_pydantic_models() -> None:
    @idempotent
    class Touch(pydantic.BaseModel, Command[None]):
        key: str

    assert is_idempotent(Touch)
    assert Touch(key="k").model_dump() == {"key": "k"}
