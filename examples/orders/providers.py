"""Wiring: what the container holds, what starts and stops with the app, what health means."""

from __future__ import annotations

import asyncio

from lexigram.di import Container, HealthCheckResult, Provider
from lexigram.web import AuthorizerProtocol, UserRolesAuthorizer

from .database import Database
from .domain import Product
from .live import OrderFeed
from .repositories import OrderRepository, ProductRepository
from .security import ApiKeyGuard, ApiKeys
from .services import CatalogService, OrderService
from .settings import OrdersSettings

__all__ = ["DatabaseProvider", "OrdersProvider"]


class DatabaseProvider(Provider):
    """The SQLite database: opened at startup, closed at shutdown, pinged by ``/health``."""

    name = "database"

    def __init__(self, settings: OrdersSettings) -> None:
        self.database = Database(settings.database)

    def register(self, container: Container) -> None:
        container.singleton(Database, instance=self.database)

    async def boot(self, container: Container) -> None:
        await self.database.open()

    async def shutdown(self) -> None:
        await self.database.close()

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                answers = await self.database.ping()
        except Exception as exc:
            return HealthCheckResult.unhealthy(f"the database does not answer: {exc!r}")
        if not answers:
            return HealthCheckResult.unhealthy("the database answered SELECT 1 wrongly")
        return HealthCheckResult.healthy("the database answers")


class OrdersProvider(Provider):
    """Repositories, services and security; puts the configured catalog in on first start."""

    name = "orders"

    def __init__(self, settings: OrdersSettings) -> None:
        self.settings = settings

    def register(self, container: Container) -> None:
        container.singleton(OrdersSettings, instance=self.settings)
        for service in (
            OrderRepository,
            ProductRepository,
            OrderFeed,
            OrderService,
            CatalogService,
            ApiKeys,
            ApiKeyGuard,
        ):
            container.singleton(service)
        container.singleton(AuthorizerProtocol, UserRolesAuthorizer)

    async def boot(self, container: Container) -> None:
        await (await container.aresolve(OrderFeed)).start()
        products = await container.aresolve(ProductRepository)
        await products.seed(Product(**entry.model_dump()) for entry in self.settings.catalog)
