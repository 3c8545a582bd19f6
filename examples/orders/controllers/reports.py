"""``/v2/reports/sales``: an expensive aggregate, throttled to 5 requests a minute per client."""

from __future__ import annotations

import datetime as dt

from lexigram.cqrs import QueryBus
from lexigram.web import Controller, api_version, get, guard, roles, throttle

from ..messages import GetSalesFigures
from ..models import SalesReport
from ..security import ApiKeyGuard
from ._common import READ

__all__ = ["ReportsController"]


@api_version(2)
@guard(ApiKeyGuard)
class ReportsController(Controller):
    """Sales figures, rate-limited (five calls a minute per client)."""

    prefix = "/reports"

    def __init__(self, queries: QueryBus) -> None:
        self.queries = queries

    @get("/sales")
    @throttle("5/minute", by="ip")
    @roles(READ)
    async def sales_report(self) -> SalesReport:
        """Orders by status, revenue and units sold per product (cancelled orders excluded)."""
        figures = await self.queries.execute(GetSalesFigures())
        return SalesReport.of(figures, dt.datetime.now(dt.UTC))
