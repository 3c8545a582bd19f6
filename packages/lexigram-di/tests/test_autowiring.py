from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated

import pytest

from lexigram.di import Container, Named, ResolutionError, Scope


class Config:
    def __init__(self) -> None:
        self.url = "db://"


class Repo:
    def __init__(self, config: Config, later: Later) -> None:
        self.config = config
        self.later = later


class Later:
    """Defined after Repo: a forward reference under postponed annotations."""


@dataclass
class Service:
    repo: Repo
    retries: int = 3


class Handler:
    def __init__(self, primary: Annotated[Config, Named("primary")], plain: Config) -> None:
        self.primary = primary
        self.plain = plain


class Plugin:
    pass


class PluginA(Plugin):
    pass


class PluginB(Plugin):
    pass


class Registry:
    def __init__(self, plugins: list[Plugin]) -> None:
        self.plugins = plugins


class MaybeCache:
    def __init__(self, cache: Plugin | None) -> None:
        self.cache = cache


def graph() -> Container:
    return Container().singleton(Config).transient(Later).transient(Repo).transient(Service)


def test_constructor_hints_are_wired_with_postponed_annotations() -> None:
    service = graph().resolve(Service)
    assert isinstance(service.repo.config, Config)
    assert isinstance(service.repo.later, Later)


def test_parameter_with_default_and_no_registration_keeps_its_default() -> None:
    assert graph().resolve(Service).retries == 3


def test_registered_type_is_injected_over_a_default() -> None:
    container = graph().singleton(int, instance=7)
    assert container.resolve(Service).retries == 7


def test_optional_parameter_without_registration_gets_none() -> None:
    assert Container().transient(MaybeCache).resolve(MaybeCache).cache is None


def test_optional_parameter_with_registration_is_injected() -> None:
    container = Container().transient(MaybeCache).transient(Plugin, PluginA)
    assert isinstance(container.resolve(MaybeCache).cache, PluginA)


def test_local_classes_resolve_forward_references_by_registered_name() -> None:
    class Inner:
        pass

    class Outer:
        def __init__(self, inner: Inner) -> None:
            self.inner = inner

    container = Container().transient(Inner).transient(Outer)
    assert isinstance(container.resolve(Outer).inner, Inner)


def test_unresolvable_forward_reference_names_the_parameter_and_fix() -> None:
    class Outer:
        def __init__(self, ghost: Ghost) -> None:  # type: ignore[name-defined]  # noqa: F821
            self.ghost = ghost

    with pytest.raises(ResolutionError) as info:
        Container().transient(Outer).resolve(Outer)
    assert "parameter 'ghost' of Outer.__init__" in str(info.value)
    assert "define that class at module level" in str(info.value)


def test_parameter_without_hint_or_default_is_an_error_naming_it() -> None:
    class Untyped:
        def __init__(self, thing) -> None:  # type: ignore[no-untyped-def]
            self.thing = thing

    with pytest.raises(ResolutionError, match=r"'thing' of Untyped\.__init__ has no type"):
        Container().transient(Untyped).resolve(Untyped)


def test_named_marker_selects_the_named_registration() -> None:
    primary = Config()
    container = Container().singleton(Config).singleton(Config, primary, name="primary")
    handler = container.transient(Handler).resolve(Handler)
    assert handler.primary is primary
    assert handler.plain is not primary


def test_resolve_all_returns_every_registration_in_order() -> None:
    container = Container().transient(Plugin, PluginA).transient(Plugin, PluginB)
    assert [type(p) for p in container.resolve_all(Plugin)] == [PluginA, PluginB]


def test_resolve_all_of_an_unregistered_type_is_empty() -> None:
    assert Container().resolve_all(Plugin) == []


def test_list_parameter_receives_every_registration() -> None:
    container = Container().transient(Plugin, PluginA).singleton(Plugin, PluginB)
    container.transient(Registry)
    plugins = container.resolve(Registry).plugins
    assert [type(p) for p in plugins] == [PluginA, PluginB]
    assert container.resolve(Registry).plugins[1] is plugins[1]


def test_factory_parameters_are_injected() -> None:
    def make_repo(config: Config) -> Repo:
        return Repo(config, Later())

    container = Container().singleton(Config).transient(Repo, factory=make_repo)
    assert isinstance(container.resolve(Repo).later, Later)


def test_partial_factory_is_accepted() -> None:
    def make(config: Config, suffix: str) -> str:
        return config.url + suffix

    container = Container().singleton(Config)
    container.transient("url", factory=functools.partial(make, suffix="main"))
    assert container.resolve("url") == "db://main"


def test_positional_only_parameters_are_passed_positionally() -> None:
    def make(config: Config, /) -> str:
        return config.url

    container = Container().singleton(Config).transient("url", factory=make)
    assert container.resolve("url") == "db://"


def test_keyword_only_parameters_follow_a_skipped_default() -> None:
    def make(retries: int = 5, *, config: Config) -> tuple[int, str]:
        return retries, config.url

    container = Container().singleton(Config).transient("pair", factory=make)
    assert container.resolve("pair") == (5, "db://")


def test_call_injects_arguments_and_overrides_win() -> None:
    def handler(config: Config, name: str) -> str:
        return f"{config.url}{name}"

    container = Container().singleton(Config)
    assert container.call(handler, name="x") == "db://x"


def test_call_names_a_missing_argument_and_the_fix() -> None:
    def handler(config: Config, name: str) -> str:
        return name

    with pytest.raises(ResolutionError) as info:
        Container().singleton(Config).call(handler)
    assert "parameter 'name' of" in str(info.value)
    assert "name=..." in str(info.value)


def test_call_rejects_an_untyped_parameter_without_an_override() -> None:
    def handler(thing) -> object:  # type: ignore[no-untyped-def]
        return thing

    with pytest.raises(ResolutionError, match="parameter 'thing'"):
        Container().call(handler)
    assert Container().call(handler, thing=1) == 1


async def test_acall_resolves_async_dependencies_and_awaits_the_result() -> None:
    async def make_config() -> Config:
        return Config()

    async def handler(config: Config) -> str:
        return config.url

    container = Container().singleton(Config, factory=make_config)
    assert await container.acall(handler) == "db://"


def test_scope_parameter_receives_the_current_scope() -> None:
    class NeedsScope:
        def __init__(self, scope: Scope) -> None:
            self.scope = scope

    container = Container().transient(NeedsScope)
    with container.scope() as scope:
        assert scope.resolve(NeedsScope).scope is scope
    assert container.needs_scope(NeedsScope)
