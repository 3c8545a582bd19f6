"""Wiring: what the container holds, what starts and stops with the app, what health means."""

from __future__ import annotations

import asyncio

from lexigram.cqrs import EventCatalog
from lexigram.di import Container, DynamicModule, HealthCheckResult, Provider
from lexigram.web import AuthorizerProtocol, UserRolesAuthorizer

from .database import Database, open_database
from .domain import Product
from .live import OrderFeed
from .repositories import OrderRepository, ProductRepository
from .security import ApiKeyGuard, ApiKeys
from .services import CatalogService, OrderService
from .settings import OrdersSettings

__all__ = ["DatabaseModule", "DatabaseProvider", "OrdersProvider"]


class DatabaseProvider(Provider):
    """The database (SQLite or PostgreSQL): opened at startup, closed at shutdown, pinged by
    ``/health``. With an ``EventCatalog`` it has an outbox for integration events."""

    name = "database"

    def __init__(self, settings: OrdersSettings, catalog: EventCatalog | None = None) -> None:
        self.database = open_database(
            settings.database,
            catalog=catalog,
            pool_size=settings.database_pool_size,
            timeout=settings.database_timeout,
        )

    def register(self, container: Container) -> None:
        container.singleton(Database, instance=self.database)

    async def boot(self, container: Container) -> None:
        await self.database.open()

    async def shutdown(self) -> None:
        await self.database.close()

    async def health_check(self, timeout: float = 5.0) -> HealthCheckResult:  # noqa: ASYNC109
        """Healthy when the database answers and can take an order (a write rolled back,
        room on its disk): a read-only or full database is not ready."""
        try:
            async with asyncio.timeout(timeout):
                answers = await self.database.ping()
                problem = await self.database.write_problem()
        except Exception as exc:
            return HealthCheckResult.unhealthy(f"the database does not answer: {exc!r}")
        if not answers:
            return HealthCheckResult.unhealthy("the database answered SELECT 1 wrongly")
        if problem is not None:
            return HealthCheckResult.unhealthy(f"the database cannot take orders: {problem}")
        return HealthCheckResult.healthy("the database answers and takes writes")


class DatabaseModule(DynamicModule):
    """The database as a module: what imports it (the CQRS module, whose outbox relay and
    consumer use the database) boots after it."""

    def __init__(self, provider: DatabaseProvider) -> None:
        super().__init__(providers=[provider])


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
