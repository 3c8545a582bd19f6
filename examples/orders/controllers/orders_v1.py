"""``/v1/orders``: the first, read-only version, deprecated in favour of ``/v2/orders``.

Its answers carry ``Deprecation``, ``Sunset`` and ``Link`` headers.
"""

from __future__ import annotations

from lexigram.cqrs import QueryBus
from lexigram.result import Result
from lexigram.web import Controller, api_version, get, guard, roles

from ..domain import OrderNotFound
from ..messages import GetOrder, ListOrders
from ..models import OrderV1
from ..security import ApiKeyGuard
from ._common import READ, OrderId, problems

__all__ = ["LegacyOrdersController"]


@api_version(1, deprecated="2026-06-01", sunset="2027-06-30", link="/docs")
@guard(ApiKeyGuard)
class LegacyOrdersController(Controller):
    """Version 1 of the orders API (deprecated): read orders, totals as decimal strings."""

    prefix = "/orders"

    def __init__(self, queries: QueryBus) -> None:
        self.queries = queries

    @get("")
    @roles(READ)
    async def list_orders_v1(self) -> list[OrderV1]:
        """The 100 newest orders (use /v2/orders: it pages and filters)."""
        orders, _ = await self.queries.execute(ListOrders(None, 100, 0))
        return [OrderV1.of(order) for order in orders]

    @get("/{order_id:int}", responses=problems(not_found="No such order"))
    @roles(READ)
    async def get_order_v1(self, order_id: OrderId) -> Result[OrderV1, OrderNotFound]:
        """Read one order, without its lines."""
        found = await self.queries.execute(GetOrder(order_id))
        return found.map_sync(OrderV1.of)
