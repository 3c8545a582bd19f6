"""The orders domain: entities, the status life cycle and domain errors (no HTTP here).

The errors derive from ``lexigram.http_errors.domain``, so the web layer maps them to problem
answers (not found 404, validation 422, permission 403, conflict 409) without this module
knowing about HTTP.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from lexigram.http_errors.domain import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

__all__ = [
    "CannotCancel",
    "InvalidOrder",
    "Order",
    "OrderLine",
    "OrderNotFound",
    "OrderStatus",
    "Principal",
    "Product",
    "ProductExists",
    "ProductNotFound",
    "StatusConflict",
]


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, as identified by its API key."""

    name: str
    roles: frozenset[str] = frozenset()

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price_cents: int


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    customer: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    created_by: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None = None

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    def can_become(self, status: OrderStatus) -> bool:
        """Placed orders may be shipped or cancelled; shipped and cancelled are final."""
        return self.status is OrderStatus.PLACED and status is not OrderStatus.PLACED


class OrderNotFound(NotFoundError):
    def __init__(self, order_id: int) -> None:
        super().__init__(resource="Order", identifier=order_id, code="order_not_found")


class ProductNotFound(NotFoundError):
    def __init__(self, sku: str) -> None:
        super().__init__(resource="Product", identifier=sku, code="product_not_found")


class ProductExists(ConflictError):
    def __init__(self, sku: str) -> None:
        super().__init__(f"Product '{sku}' already exists", code="product_exists")


class InvalidOrder(ValidationError):
    """The order breaks a business rule (unknown product, a product listed twice...)."""


class StatusConflict(ConflictError):
    def __init__(self, order: Order, wanted: OrderStatus) -> None:
        super().__init__(
            f"Order {order.id} is {order.status.value} and cannot become {wanted.value}",
            code="status_conflict",
        )


class CannotCancel(PermissionDeniedError):
    def __init__(self, order: Order) -> None:
        super().__init__(
            f"Only {order.created_by} or a manager may cancel order {order.id}",
            code="not_your_order",
        )
