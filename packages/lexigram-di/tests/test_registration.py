import abc
from typing import Protocol

import punq
import pytest

from lexigram.di import (
    Container,
    Lifetime,
    MissingDependencyError,
    RegistrationError,
    injectable,
    lifetime_of,
    scoped,
    singleton,
    transient,
)


class Sender(Protocol):
    def send(self, text: str) -> str: ...


class SmtpSender:
    def send(self, text: str) -> str:
        return f"smtp:{text}"


class Store(abc.ABC):
    @abc.abstractmethod
    def get(self) -> int: ...


class MemoryStore(Store):
    def get(self) -> int:
        return 1


class Plain:
    pass


def test_protocol_binds_to_an_implementation() -> None:
    container = Container().singleton(Sender, SmtpSender)
    sender = container.resolve(Sender)
    assert sender.send("hi") == "smtp:hi"


def test_abc_binds_to_a_subclass() -> None:
    container = Container().transient(Store, MemoryStore)
    assert isinstance(container.resolve(Store), MemoryStore)


def test_non_subclass_implementation_of_a_class_is_rejected() -> None:
    with pytest.raises(RegistrationError, match="Plain does not subclass Store"):
        Container().transient(Store, Plain)


def test_abstract_class_cannot_build_itself() -> None:
    with pytest.raises(RegistrationError, match=r"container.singleton\(Store, Implementation\)"):
        Container().transient(Store)


def test_non_callable_factory_is_rejected_naming_the_type_and_fix() -> None:
    with pytest.raises(RegistrationError) as info:
        Container().transient(Plain, factory=42)  # type: ignore[arg-type]
    message = str(info.value)
    assert "factory for Plain must be callable" in message
    assert "container.singleton(Plain, instance=...)" in message


def test_instance_for_a_transient_is_rejected_naming_the_fix() -> None:
    with pytest.raises(RegistrationError) as info:
        Container().transient(Plain, instance=Plain())
    assert "transient Plain" in str(info.value)
    assert "container.singleton(Plain, instance=...)" in str(info.value)


def test_positional_instance_for_a_scoped_service_is_rejected() -> None:
    with pytest.raises(RegistrationError, match="scoped Plain"):
        Container().scoped(Plain, Plain())


def test_singleton_accepts_an_instance_positionally() -> None:
    obj = Plain()
    assert Container().singleton(Plain, obj).resolve(Plain) is obj


def test_singleton_accepts_a_factory_positionally() -> None:
    container = Container().singleton(Plain, lambda: Plain())
    assert container.resolve(Plain) is container.resolve(Plain)


def test_two_implementations_at_once_are_rejected() -> None:
    with pytest.raises(RegistrationError, match="only one of"):
        Container().register(Plain, Plain, factory=Plain)


def test_non_class_key_without_implementation_is_rejected() -> None:
    with pytest.raises(RegistrationError, match="'config' is not a class"):
        Container().singleton("config")


def test_unregistered_abstract_type_names_the_binding_fix() -> None:
    with pytest.raises(MissingDependencyError) as info:
        Container().resolve(Store)
    assert "Store is abstract and has no registered implementation" in str(info.value)
    assert "container.singleton(Store, Implementation)" in str(info.value)


def test_unregistered_concrete_type_names_the_registration_fix() -> None:
    with pytest.raises(MissingDependencyError, match=r"container.transient\(Plain\)"):
        Container().resolve(Plain)


def test_errors_are_punq_errors_too() -> None:
    with pytest.raises(punq.MissingDependencyError):
        Container().resolve(Plain)
    with pytest.raises(punq.InvalidRegistrationError):
        Container().transient(Plain, factory=1)  # type: ignore[arg-type]


def test_has_reports_registrations_by_name() -> None:
    container = Container().singleton(Plain, name="main")
    assert container.has(Plain, name="main")
    assert not container.has(Plain)


def test_named_registrations_are_kept_apart() -> None:
    first, second = Plain(), Plain()
    container = Container().singleton(Plain, first).singleton(Plain, second, name="other")
    assert container.resolve(Plain) is first
    assert container.resolve(Plain, name="other") is second


def test_later_registration_wins() -> None:
    first, second = Plain(), Plain()
    container = Container().singleton(Plain, first).singleton(Plain, second)
    assert container.resolve(Plain) is second


def test_register_returns_the_container_for_chaining() -> None:
    container = Container()
    assert container.register(Plain) is container


def test_container_resolves_itself() -> None:
    container = Container()
    assert container.resolve(Container) is container


def test_markers_record_the_lifetime() -> None:
    @singleton
    class One:
        pass

    @scoped
    class Two:
        pass

    @transient
    class Three:
        pass

    @injectable
    class Four:
        pass

    assert [lifetime_of(c) for c in (One, Two, Three, Four)] == [
        Lifetime.SINGLETON,
        Lifetime.SCOPED,
        Lifetime.TRANSIENT,
        Lifetime.TRANSIENT,
    ]


def test_marker_is_not_inherited() -> None:
    @singleton
    class Base:
        pass

    class Child(Base):
        pass

    assert lifetime_of(Child) is None


def test_register_uses_the_marker_lifetime_by_default() -> None:
    @singleton
    class Shared:
        pass

    container = Container().register(Shared)
    assert container.resolve(Shared) is container.resolve(Shared)


def test_explicit_lifetime_beats_the_marker() -> None:
    @singleton
    class Shared:
        pass

    container = Container().transient(Shared)
    assert container.resolve(Shared) is not container.resolve(Shared)


def test_marker_rejects_non_classes() -> None:
    with pytest.raises(TypeError, match="@singleton decorates classes"):
        singleton(len)  # type: ignore[type-var]
