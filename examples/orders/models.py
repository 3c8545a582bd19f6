"""Request and response bodies (pydantic): the API's shapes, documented in ``/openapi.json``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .domain import Order, OrderStatus
from .repositories import OrderEvent, SalesFigures

__all__ = [
    "LiveEvent",
    "OrderIn",
    "OrderLineIn",
    "OrderLineOut",
    "OrderOut",
    "OrderPage",
    "OrderV1",
    "ProductModel",
    "SalesReport",
]

Sku = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrderLineIn(_Body):
    sku: Sku
    quantity: int = Field(ge=1, le=1000)


class OrderIn(_Body):
    customer: str = Field(min_length=1, max_length=100)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=50)


class OrderLineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    total_cents: int


class OrderOut(BaseModel):
    id: int
    customer: str
    status: OrderStatus
    lines: list[OrderLineOut]
    total_cents: int
    created_by: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        lines = [
            OrderLineOut(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                total_cents=line.total_cents,
            )
            for line in order.lines
        ]
        return cls(
            id=order.id,
            customer=order.customer,
            status=order.status,
            lines=lines,
            total_cents=order.total_cents,
            created_by=order.created_by,
            created_at=order.created_at,
            confirmed_at=order.confirmed_at,
        )


class OrderPage(BaseModel):
    items: list[OrderOut]
    limit: int
    offset: int
    total: int


class OrderV1(BaseModel):
    """The version 1 shape: no lines, the total as a decimal string."""

    id: int
    customer: str
    status: OrderStatus
    total: str

    @classmethod
    def of(cls, order: Order) -> OrderV1:
        cents = order.total_cents
        return cls(
            id=order.id,
            customer=order.customer,
            status=order.status,
            total=f"{cents // 100}.{cents % 100:02d}",
        )


class ProductModel(_Body):
    sku: Sku
    name: str = Field(min_length=1, max_length=100)
    price_cents: int = Field(ge=0, le=10_000_000)


class SalesReport(BaseModel):
    generated_at: dt.datetime
    orders_by_status: dict[str, int]
    revenue_cents: int
    units_by_sku: dict[str, int]

    @classmethod
    def of(cls, figures: SalesFigures, generated_at: dt.datetime) -> SalesReport:
        return cls(
            generated_at=generated_at,
            orders_by_status=figures.orders_by_status,
            revenue_cents=figures.revenue_cents,
            units_by_sku=figures.units_by_sku,
        )


class LiveEvent(BaseModel):
    """One order change, as sent over Server-Sent Events and the WebSocket."""

    id: int
    type: str
    order_id: int
    status: OrderStatus
    at: dt.datetime

    @classmethod
    def of(cls, event: OrderEvent) -> LiveEvent:
        return cls(
            id=event.id,
            type=event.type,
            order_id=event.order_id,
            status=OrderStatus(event.status),
            at=event.at,
        )
