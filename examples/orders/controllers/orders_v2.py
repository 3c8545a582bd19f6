"""``/v2/orders``: place, list, read, cancel and ship orders (the current API)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from lexigram.cqrs import CommandBus, QueryBus
from lexigram.http_errors.domain import DomainError
from lexigram.result import Ok, Result
from lexigram.web import (
    BackgroundTasks,
    Controller,
    ExecutionContext,
    api_version,
    get,
    guard,
    post,
    roles,
)

from ..domain import InvalidOrder, OrderNotFound, OrderStatus
from ..messages import CancelOrder, ConfirmOrder, GetOrder, ListOrders, PlaceOrder, ShipOrder
from ..models import OrderIn, OrderOut, OrderPage
from ..security import ApiKeyGuard, current_user
from ._common import READ, SHIP, WRITE, OrderId, problems

__all__ = ["OrdersController"]


@api_version(2)
@guard(ApiKeyGuard)
class OrdersController(Controller):
    """Orders: place, read, list, ship and cancel them."""

    prefix = "/orders"

    def __init__(self, commands: CommandBus, queries: QueryBus) -> None:
        self.commands = commands
        self.queries = queries

    @post("", status_code=201, responses=problems(invalid="Unknown or repeated products"))
    @roles(WRITE)
    async def place_order(
        self, order: OrderIn, context: ExecutionContext, tasks: BackgroundTasks
    ) -> Result[OrderOut, InvalidOrder]:
        """Place an order; its confirmation is sent after the response."""
        lines = tuple((line.sku, line.quantity) for line in order.lines)
        placed = await self.commands.dispatch(
            PlaceOrder(order.customer, lines, current_user(context))
        )
        if isinstance(placed, Ok):
            order_id = placed.value.id
            context.add_header("Location", f"{context.path.rstrip('/')}/{order_id}")
            tasks.add(self.commands.dispatch, ConfirmOrder(order_id))
        return placed.map_sync(OrderOut.of)

    @get("")
    @roles(READ)
    async def list_orders(
        self,
        status: OrderStatus | None = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
        offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0,
    ) -> OrderPage:
        """List orders, newest first, optionally of one status."""
        orders, total = await self.queries.execute(ListOrders(status, limit, offset))
        items = [OrderOut.of(order) for order in orders]
        return OrderPage(items=items, limit=limit, offset=offset, total=total)

    @get("/{order_id:int}", responses=problems(not_found="No such order"))
    @roles(READ)
    async def get_order(self, order_id: OrderId) -> Result[OrderOut, OrderNotFound]:
        """Read one order."""
        found = await self.queries.execute(GetOrder(order_id))
        return found.map_sync(OrderOut.of)

    @post(
        "/{order_id:int}/cancel",
        responses=problems(
            not_found="No such order",
            conflict="The order is not placed any more",
            forbidden="Not your order (and you are not a manager)",
        ),
    )
    @roles(WRITE)
    async def cancel_order(
        self, order_id: OrderId, context: ExecutionContext
    ) -> Result[OrderOut, DomainError]:
        """Cancel a placed order (its creator or a manager)."""
        cancelled = await self.commands.dispatch(CancelOrder(order_id, current_user(context)))
        return cancelled.map_sync(OrderOut.of)

    @post(
        "/{order_id:int}/ship",
        responses=problems(not_found="No such order", conflict="The order is not placed any more"),
    )
    @roles(SHIP)
    async def ship_order(self, order_id: OrderId) -> Result[OrderOut, DomainError]:
        """Mark a placed order as shipped (the warehouse)."""
        shipped = await self.commands.dispatch(ShipOrder(order_id))
        return shipped.map_sync(OrderOut.of)
