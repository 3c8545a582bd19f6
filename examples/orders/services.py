"""Business rules. Services return ``Result``: ``Ok(value)`` or ``Err(domain error)``, never an
HTTP status; the web layer maps the errors to problem answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from lexigram.http_errors.domain import DomainError, ValidationError
from lexigram.result import Err, Ok, Result

from .domain import (
    CannotCancel,
    InvalidOrder,
    Order,
    OrderLine,
    OrderNotFound,
    OrderStatus,
    Principal,
    Product,
    ProductExists,
    ProductNotFound,
    StatusConflict,
)
from .live import OrderFeed
from .models import ProductModel
from .repositories import OrderRepository, ProductRepository, SalesFigures
from .settings import OrdersSettings

__all__ = ["CatalogService", "OrderService"]

_log = logging.getLogger("examples.orders")
MANAGER = "orders:manage"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OrderService:
    def __init__(
        self,
        orders: OrderRepository,
        products: ProductRepository,
        feed: OrderFeed,
        settings: OrdersSettings,
    ) -> None:
        self.orders = orders
        self.products = products
        self.feed = feed
        self.report_delay = settings.report_delay

    async def place(
        self, customer: str, lines: Sequence[tuple[str, int]], by: Principal
    ) -> Result[Order, InvalidOrder]:
        """Price the lines from the catalog; every unknown or repeated SKU is reported."""
        catalog = await self.products.by_sku(sku for sku, _ in lines)
        errors: list[dict[str, Any]] = []
        seen: set[str] = set()
        priced: list[OrderLine] = []
        for index, (sku, quantity) in enumerate(lines):
            loc: list[str | int] = ["body", "lines", index, "sku"]
            product = catalog.get(sku)
            if product is None:
                errors.append({"loc": loc, "msg": f"no product {sku!r}", "type": "unknown_sku"})
            elif sku in seen:
                errors.append({"loc": loc, "msg": f"{sku!r} is listed twice", "type": "duplicate"})
            else:
                priced.append(OrderLine(sku, product.name, quantity, product.price_cents))
            seen.add(sku)
        if errors:
            return Err(InvalidOrder("The order cannot be placed", errors=errors))
        order = await self.orders.add(customer, priced, by.name, now())
        await self.feed.changed()
        return Ok(order)

    async def get(self, order_id: int) -> Result[Order, OrderNotFound]:
        order = await self.orders.get(order_id)
        return Err(OrderNotFound(order_id)) if order is None else Ok(order)

    async def page(
        self, status: OrderStatus | None, limit: int, offset: int
    ) -> tuple[list[Order], int]:
        return await self.orders.page(status, limit, offset)

    async def cancel(self, order_id: int, by: Principal) -> Result[Order, DomainError]:
        """The order's creator or a manager may cancel a placed order."""
        match await self.get(order_id):
            case Ok(order) if order.created_by != by.name and not by.has_role(MANAGER):
                return Err(CannotCancel(order))
            case Ok(order):
                return await self._move(order, OrderStatus.CANCELLED)
            case Err() as missing:
                return missing

    async def ship(self, order_id: int) -> Result[Order, DomainError]:
        match await self.get(order_id):
            case Ok(order):
                return await self._move(order, OrderStatus.SHIPPED)
            case Err() as missing:
                return missing

    async def _move(self, order: Order, status: OrderStatus) -> Result[Order, DomainError]:
        if not order.can_become(status):
            return Err(StatusConflict(order, status))
        moved = await self.orders.change_status(order.id, status, now())
        if moved is None:  # changed by someone else in between
            current = await self.orders.get(order.id)
            return Err(StatusConflict(current or order, status))
        await self.feed.changed()
        return Ok(moved)

    async def sales(self) -> SalesFigures:
        _log.info("sales report: aggregating")
        if self.report_delay:
            await asyncio.sleep(self.report_delay)  # stands for a heavy aggregation
        return await self.orders.sales()


class CatalogService:
    """The product catalog; ``ProductController`` serves it (``GenericController``)."""

    def __init__(self, products: ProductRepository) -> None:
        self.products = products

    async def list(self, limit: int, offset: int) -> Result[tuple[list[Product], int], Any]:
        return Ok(await self.products.page(limit, offset))

    async def get(self, item_id: str) -> Result[Product, ProductNotFound]:
        found = (await self.products.by_sku([item_id])).get(item_id)
        return Err(ProductNotFound(item_id)) if found is None else Ok(found)

    async def create(self, data: ProductModel) -> Result[Product, ProductExists]:
        product = Product(data.sku, data.name, data.price_cents)
        return Ok(product) if await self.products.add(product) else Err(ProductExists(product.sku))

    async def update(self, item_id: str, data: ProductModel) -> Result[Product, DomainError]:
        product = Product(data.sku, data.name, data.price_cents)
        if product.sku != item_id:
            msg = f"must be {item_id!r}"
            mismatch = {"loc": ["body", "sku"], "msg": msg, "type": "value_error"}
            return Err(ValidationError("A product's SKU cannot change", errors=[mismatch]))
        if not await self.products.replace(product):
            return Err(ProductNotFound(item_id))
        return Ok(product)

    async def delete(self, item_id: str) -> Result[None, ProductNotFound]:
        removed = await self.products.remove(item_id)
        return Ok(None) if removed else Err(ProductNotFound(item_id))
