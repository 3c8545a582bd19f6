import sys
from pathlib import Path
from typing import Any

import pytest

from lexigram.di import (
    Application,
    CircularDependencyError,
    Container,
    DynamicModule,
    Module,
    Provider,
    RegistrationError,
    ResolutionError,
    module,
    scoped,
    singleton,
)


@singleton
class Database:
    pass


class UsersRepo:
    def __init__(self, db: Database) -> None:
        self.db = db


@scoped
class UnitOfWork:
    pass


class Recorder(Provider):
    def __init__(self, log: list[str], label: str) -> None:
        self.log = log
        self.label = label

    @property
    def provider_name(self) -> str:
        return self.label

    def register(self, container: Container) -> None:
        self.log.append(f"register {self.label}")

    async def boot(self, container: Container) -> None:
        self.log.append(f"boot {self.label}")

    async def shutdown(self) -> None:
        self.log.append(f"shutdown {self.label}")


@module(providers=[Database], exports=[Database])
class DatabaseModule:
    pass


@module(providers=[UsersRepo, UnitOfWork], imports=[DatabaseModule])
class UsersModule:
    pass


async def test_module_lists_register_classes_with_their_marker_lifetime() -> None:
    async with Application.boot(modules=[UsersModule]) as app:
        c = app.container
        assert c.resolve(UsersRepo).db is c.resolve(Database)
        assert c.resolve(UsersRepo) is not c.resolve(UsersRepo)
        assert c.needs_scope(UnitOfWork)


async def test_modules_boot_imports_first_and_shut_down_in_reverse() -> None:
    log: list[str] = []

    @module(providers=[Recorder(log, "db")])
    class Db:
        pass

    @module(providers=[Recorder(log, "cache")], imports=[Db])
    class Cache:
        pass

    @module(providers=[Recorder(log, "users")], imports=[Db, Cache])
    class Users:
        pass

    async with Application.boot(modules=[Users], providers=[Recorder(log, "app")]) as app:
        assert app.modules == ["Db", "Cache", "Users"]
        assert log[-4:] == ["boot db", "boot cache", "boot users", "boot app"]
    assert log[:4] == ["register db", "register cache", "register users", "register app"]
    assert log[-4:] == ["shutdown app", "shutdown users", "shutdown cache", "shutdown db"]


async def test_a_module_imported_twice_is_registered_once() -> None:
    log: list[str] = []

    @module(providers=[Recorder(log, "shared")])
    class Shared:
        pass

    @module(imports=[Shared])
    class Left:
        pass

    @module(imports=[Shared])
    class Right:
        pass

    async with Application.boot(modules=[Left, Right]):
        assert log.count("boot shared") == 1


async def test_module_import_cycle_is_detected_with_its_path() -> None:
    @module()
    class First:
        pass

    @module(imports=[First])
    class Second:
        pass

    module(imports=[Second])(First)
    message = "module import cycle: First -> Second -> First"
    with pytest.raises(CircularDependencyError, match=message):
        await Application(modules=[First]).start()


async def test_module_base_class_declares_with_attributes() -> None:
    class Users(Module):
        providers = (UsersRepo,)
        imports = (DatabaseModule,)

    async with Application.boot(modules=[Users]) as app:
        assert isinstance(app.container.resolve(UsersRepo).db, Database)


class Settings:
    def __init__(self, url: str) -> None:
        self.url = url


class SettingsProvider(Provider):
    def __init__(self, url: str) -> None:
        self.url = url

    def register(self, container: Container) -> None:
        container.singleton(Settings, Settings(self.url))


class SettingsModule(Module):
    @classmethod
    def configure(cls, **options: Any) -> DynamicModule:
        return DynamicModule(cls, providers=[SettingsProvider(options.get("url", "prod://"))])

    @classmethod
    def stub(cls, **options: Any) -> DynamicModule:
        return cls.configure(url="memory://")


async def test_dynamic_module_configure_and_stub() -> None:
    async with Application.boot(modules=[SettingsModule.configure(url="db://")]) as app:
        assert app.container.resolve(Settings).url == "db://"
    async with Application.boot(modules=[SettingsModule.stub()]) as app:
        assert app.container.resolve(Settings).url == "memory://"


async def test_configured_module_wins_over_the_same_class_imported_elsewhere() -> None:
    @module(imports=[SettingsModule])
    class Feature:
        pass

    async with Application.boot(modules=[SettingsModule.configure(url="x://"), Feature]) as app:
        assert app.container.resolve(Settings).url == "x://"


async def test_module_configured_twice_is_rejected() -> None:
    modules = [SettingsModule.configure(url="a://"), SettingsModule.configure(url="b://")]
    with pytest.raises(RegistrationError, match="configured twice"):
        await Application(modules=modules).start()


class WebLikeModule(DynamicModule):
    def __init__(self, url: str = "default://") -> None:
        super().__init__(providers=[SettingsProvider(url)])


async def test_dynamic_module_subclass_configures_through_its_constructor() -> None:
    async with Application.boot(modules=[WebLikeModule.configure(url="w://")]) as app:
        assert app.container.resolve(Settings).url == "w://"
    async with Application.boot(modules=[WebLikeModule.stub()]) as app:
        assert app.container.resolve(Settings).url == "default://"


async def test_default_configure_adds_to_what_a_module_class_declares() -> None:
    class Users(Module):
        providers = (UsersRepo,)

    dynamic = Users.configure(imports=[DatabaseModule])
    assert dynamic.meta.providers == (UsersRepo,)
    assert dynamic.meta.imports == (DatabaseModule,)
    async with Application.boot(modules=[dynamic]) as app:
        assert isinstance(app.container.resolve(UsersRepo).db, Database)


async def test_private_registration_of_an_exporting_module_is_enforced() -> None:
    class Secret:
        pass

    class Consumer:
        def __init__(self, secret: Secret) -> None:
            self.secret = secret

    @module(providers=[Secret, Database], exports=[Database])
    class Owner:
        pass

    @module(providers=[Consumer], imports=[Owner])
    class User:
        pass

    with pytest.raises(ResolutionError) as info:
        await Application(modules=[User]).start()
    assert "Consumer depends on Secret, which is private to module Owner" in str(info.value)
    assert "add Secret to Owner's exports" in str(info.value)


async def test_exported_registration_is_usable_by_importers() -> None:
    async with Application.boot(modules=[UsersModule]) as app:
        assert isinstance(app.container.resolve(UsersRepo), UsersRepo)


async def test_module_scan_registers_marked_classes_of_a_package() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    try:

        @module(scan=["scanned_pkg"])
        class Scanned:
            pass

        async with Application.boot(modules=[Scanned]) as app:
            from scanned_pkg import NotMarked, ScannedConfig
            from scanned_pkg.services import ScannedService

            service = app.container.resolve(ScannedService)
            assert service.config is app.container.resolve(ScannedConfig)
            assert not app.container.has(NotMarked)
    finally:
        sys.path.remove(str(Path(__file__).parent))


async def test_controllers_are_collected_in_module_order() -> None:
    class UsersController:
        pass

    class AdminController:
        pass

    @module(controllers=[UsersController])
    class Users:
        pass

    @module(controllers=[AdminController], imports=[Users])
    class Admin:
        pass

    async with Application.boot(modules=[Admin]) as app:
        assert app.controllers == [UsersController, AdminController]


def test_non_module_class_is_rejected_naming_the_fix() -> None:
    class NotAModule:
        pass

    from lexigram.di._module import module_meta

    with pytest.raises(RegistrationError, match=r"@module\(providers=\[...\]\)"):
        module_meta(NotAModule)


async def test_providers_list_rejects_arbitrary_objects() -> None:
    @module(providers=[42])
    class Bad:
        pass

    with pytest.raises(RegistrationError, match="neither a Provider nor a class"):
        await Application(modules=[Bad]).start()


class CacheModule(DynamicModule):
    def __init__(self, size: int = 1) -> None:
        super().__init__(providers=[SettingsProvider(f"cache://{size}")])

    # A subclass declares exactly (and typed) what it accepts: no override error.
    @classmethod
    def configure(cls, *, size: int = 1) -> "CacheModule":
        return cls(size)


async def test_dynamic_module_subclass_configure_takes_its_own_typed_arguments() -> None:
    async with Application.boot(modules=[CacheModule.configure(size=8)]) as app:
        assert app.container.resolve(Settings).url == "cache://8"


async def test_dynamic_module_configure_passes_positional_arguments_to_the_constructor() -> None:
    configured = DynamicModule.configure(SettingsModule, providers=[SettingsProvider("pos://")])
    assert configured.module is SettingsModule
    async with Application.boot(modules=[configured]) as app:
        assert app.container.resolve(Settings).url == "pos://"
