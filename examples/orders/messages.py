"""Commands and queries: what the controllers ask of the application (through the buses)."""

from __future__ import annotations

from dataclasses import dataclass

from lexigram.cqrs import Command, Query
from lexigram.http_errors.domain import DomainError
from lexigram.result import Result

from .domain import InvalidOrder, Order, OrderNotFound, OrderStatus, Principal
from .repositories import SalesFigures

__all__ = [
    "CancelOrder",
    "ConfirmOrder",
    "GetOrder",
    "GetSalesFigures",
    "ListOrders",
    "PlaceOrder",
    "ShipOrder",
]


@dataclass(frozen=True)
class PlaceOrder(Command[Result[Order, InvalidOrder]]):
    customer: str
    lines: tuple[tuple[str, int], ...]
    by: Principal


@dataclass(frozen=True)
class CancelOrder(Command[Result[Order, DomainError]]):
    order_id: int
    by: Principal


@dataclass(frozen=True)
class ShipOrder(Command[Result[Order, DomainError]]):
    order_id: int


@dataclass(frozen=True)
class ConfirmOrder(Command[None]):
    order_id: int


@dataclass(frozen=True)
class GetOrder(Query[Result[Order, OrderNotFound]]):
    order_id: int


@dataclass(frozen=True)
class ListOrders(Query[tuple[list[Order], int]]):
    status: OrderStatus | None
    limit: int
    offset: int


@dataclass(frozen=True)
class GetSalesFigures(Query[SalesFigures]):
    pass
