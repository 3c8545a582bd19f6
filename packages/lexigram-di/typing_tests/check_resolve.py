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
    assert_type(container.resolve(Sender), Sender)
    assert_type(container.resolve(Repo, "named"), Repo)
    assert_type(container.resolve_all(Sender), list[Sender])
    assert_type(container.resolve("config"), Any)
    assert_type(await container.aresolve(Repo), Repo)
    assert_type(container.resolve_all(Repo), list[Repo])
    assert_type(scope.resolve(Repo), Repo)
    assert_type(await scope.aresolve(Sender), Sender)
    assert_type(await container.aresolve(Sender), Sender)
    assert_type(container.call(sync_handler), str)
    assert_type(await container.acall(handler), int)
    assert_type(await scope.acall(handler), int)
    assert_type(container.scope(), Scope)
