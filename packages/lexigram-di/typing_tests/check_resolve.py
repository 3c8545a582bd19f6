"""Type-checked, never run: resolution keeps the requested type, Protocols included."""

from typing import Any, Protocol, assert_type

from lexigram.di import Container, Scope


class Sender(Protocol):
    def send(self) -> None: ...


class Smtp:
    def send(self) -> None:
        return None


class Repo:
    pass


async def handler(repo: Repo) -> int:
    return 1


def sync_handler(repo: Repo) -> str:
    return ""


async def check(container: Container, scope: Scope) -> None:
    container.singleton(Sender, Smtp).transient(Repo)
    assert_type(container.resolve(Repo), Repo)
    # mypy answers Any for a Protocol key (it refuses abstract classes for type[T]);
    # pyright answers Sender. An annotation works under both:
    sender: Sender = container.resolve(Sender)
    sender.send()
    assert_type(container.resolve("config"), Any)
    assert_type(await container.aresolve(Repo), Repo)
    assert_type(container.resolve_all(Repo), list[Repo])
    assert_type(scope.resolve(Repo), Repo)
    other: Sender = await scope.aresolve(Sender)
    other.send()
    assert_type(container.call(sync_handler), str)
    assert_type(await container.acall(handler), int)
    assert_type(await scope.acall(handler), int)
    assert_type(container.scope(), Scope)
