import re
from dataclasses import dataclass

import pytest

from lexigram.cqrs import (
    Command,
    CommandBus,
    DuplicateHandlerError,
    Event,
    HandlerForm,
    HandlerRegistry,
    MessageKind,
    Query,
    RegistrationError,
    command_handler,
    event_handler,
    query_handler,
)


@dataclass(frozen=True)
class CreateUser(Command[int]):
    name: str


@dataclass(frozen=True)
class GetUser(Query[str]):
    user_id: int


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: int


@command_handler(CreateUser)
async def create_user(command: CreateUser) -> int:
    return 1


@command_handler(CreateUser)
async def create_user_again(command: CreateUser) -> int:
    return 2


@query_handler(GetUser)
class GetUserHandler:
    async def handle(self, query: GetUser) -> str:
        return "ann"


def test_a_second_command_handler_raises_naming_both() -> None:
    registry = HandlerRegistry([create_user])
    with pytest.raises(DuplicateHandlerError) as caught:
        registry.add(create_user_again)
    text = str(caught.value)
    assert re.search(r"CreateUser already has a handler \(\S*\.create_user\)", text)
    assert re.search(r"cannot also register \S*\.create_user_again", text)
    assert caught.value.message_type is CreateUser


def test_a_second_query_handler_raises_at_construction() -> None:
    @query_handler(GetUser)
    async def other(query: GetUser) -> str:
        return "bo"

    with pytest.raises(DuplicateHandlerError, match=r"GetUserHandler.*other"):
        HandlerRegistry([GetUserHandler, other])


def test_events_accept_many_handlers_in_order() -> None:
    @event_handler(UserCreated)
    async def first(event: UserCreated) -> None:
        return None

    @event_handler(UserCreated)
    async def second(event: UserCreated) -> None:
        return None

    registry = HandlerRegistry([first, second])
    assert [spec.handler for spec in registry.events[UserCreated]] == [first, second]


def test_the_same_event_handler_twice_is_rejected() -> None:
    @event_handler(UserCreated)
    async def audit(event: UserCreated) -> None:
        return None

    with pytest.raises(DuplicateHandlerError, match="audit"):
        HandlerRegistry([audit, audit])


def test_registries_are_independent_instances() -> None:
    first = HandlerRegistry([create_user])
    second = HandlerRegistry([create_user_again])
    assert first.commands[CreateUser].handler is create_user
    assert second.commands[CreateUser].handler is create_user_again


def test_an_undecorated_handler_is_registered_by_its_annotation() -> None:
    async def get_user(query: GetUser) -> str:
        return "ann"

    class CreateUserHandler:
        async def handle(self, command: CreateUser) -> int:
            return 1

    registry = HandlerRegistry([get_user, CreateUserHandler])
    assert registry.queries[GetUser].handler is get_user
    assert registry.commands[CreateUser].form is HandlerForm.CLASS


def test_a_handler_without_a_message_annotation_names_the_decorators() -> None:
    async def mystery(message: object) -> None:
        return None

    with pytest.raises(RegistrationError, match=r"@command_handler\(Cmd\)"):
        HandlerRegistry([mystery])


def test_a_class_without_handle_is_rejected() -> None:
    @command_handler(CreateUser)
    class NoHandle:
        pass

    with pytest.raises(RegistrationError, match=r"no handle\(message\) method"):
        HandlerRegistry([NoHandle])


def test_a_query_registered_as_a_command_names_the_right_decorator() -> None:
    registry = HandlerRegistry()
    with pytest.raises(RegistrationError, match=r"@query_handler\(GetUser\)"):
        registry.register(MessageKind.COMMAND, GetUser, create_user)


def test_decorators_reject_a_non_class() -> None:
    with pytest.raises(TypeError, match="message class"):
        command_handler("CreateUser")  # type: ignore[arg-type]


def test_one_handler_can_handle_several_messages() -> None:
    @command_handler(CreateUser)
    @query_handler(GetUser)
    class Both:
        async def handle(self, message: object) -> object:
            return message

    registry = HandlerRegistry([Both])
    assert registry.commands[CreateUser].handler is Both
    assert registry.queries[GetUser].handler is Both
    assert registry.handlers == (Both,)


def test_a_subclass_decoration_does_not_change_the_parent() -> None:
    @dataclass(frozen=True)
    class Other(Command[int]):
        pass

    @command_handler(CreateUser)
    class Parent:
        async def handle(self, message: object) -> int:
            return 1

    @command_handler(Other)
    class Child(Parent):
        pass

    assert list(HandlerRegistry([Parent]).commands) == [CreateUser]
    assert list(HandlerRegistry([Child]).commands) == [Other]


def test_registering_after_a_bus_was_built_fails() -> None:
    registry = HandlerRegistry([create_user])
    CommandBus(registry)
    assert registry.frozen
    with pytest.raises(RegistrationError, match="before creating the buses"):
        registry.add(GetUserHandler)


def test_instances_of_decorated_classes_are_registered() -> None:
    instance = GetUserHandler()
    registry = HandlerRegistry([instance])
    assert registry.queries[GetUser].form is HandlerForm.INSTANCE
    assert len(registry) == 1
