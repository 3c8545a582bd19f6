"""CQRS handlers: each one handles one command, query or event, built by the container per
message."""

from __future__ import annotations

from lexigram.cqrs import command_handler, query_handler
from lexigram.http_errors.domain import DomainError
from lexigram.result import Result

from .confirmations import Confirmations, ConfirmPlacedOrder
from .domain import InvalidOrder, Order, OrderNotFound
from .messages import (
    CancelOrder,
    ConfirmOrder,
    GetOrder,
    GetSalesFigures,
    ListOrders,
    PlaceOrder,
    ShipOrder,
)
from .repositories import SalesFigures
from .services import OrderService

__all__ = ["HANDLERS"]


@command_handler(PlaceOrder)
class PlaceOrderHandler:
    def __init__(self, service: OrderService) -> None:
        self.service = service

    async def handle(self, command: PlaceOrder) -> Result[Order, InvalidOrder]:
        return await self.service.place(command.customer, command.lines, command.by)


@command_handler(CancelOrder)
class CancelOrderHandler:
    def __init__(self, service: OrderService) -> None:
        self.service = service

    async def handle(self, command: CancelOrder) -> Result[Order, DomainError]:
        return await self.service.cancel(command.order_id, command.by)


@command_handler(ShipOrder)
class ShipOrderHandler:
    def __init__(self, service: OrderService) -> None:
        self.service = service

    async def handle(self, command: ShipOrder) -> Result[Order, DomainError]:
        return await self.service.ship(command.order_id)


@command_handler(ConfirmOrder)
class ConfirmOrderHandler:
    def __init__(self, confirmations: Confirmations) -> None:
        self.confirmations = confirmations

    async def handle(self, command: ConfirmOrder) -> None:
        await self.confirmations.request(command.order_id)


@query_handler(GetOrder)
class GetOrderHandler:
    def __init__(self, service: OrderService) -> None:
        self.service = service

    async def handle(self, query: GetOrder) -> Result[Order, OrderNotFound]:
        return await self.service.get(query.order_id)


@query_handler(ListOrders)
class ListOrdersHandler:
    def __init__(self, service: OrderService) -> None:
        self.service = service

    async def handle(self, query: ListOrders) -> tuple[list[Order], int]:
        return await self.service.page(query.status, query.limit, query.offset)


@query_handler(GetSalesFigures)
class GetSalesFiguresHandler:
    def __init__(self, service: OrderService) -> None:
        self.service = service

    async def handle(self, query: GetSalesFigures) -> SalesFigures:
        return await self.service.sales()


HANDLERS = [
    PlaceOrderHandler,
    CancelOrderHandler,
    ShipOrderHandler,
    ConfirmOrderHandler,
    GetOrderHandler,
    ListOrdersHandler,
    GetSalesFiguresHandler,
    ConfirmPlacedOrder,
]
