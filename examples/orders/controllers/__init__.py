"""HTTP controllers: v2 (current) and v1 (deprecated) orders, live updates, reports, catalog."""

from .catalog import ProductController
from .live import LiveController
from .orders_v1 import LegacyOrdersController
from .orders_v2 import OrdersController
from .reports import ReportsController

__all__ = [
    "CONTROLLERS",
    "LegacyOrdersController",
    "LiveController",
    "OrdersController",
    "ProductController",
    "ReportsController",
]

CONTROLLERS: list[type] = [
    OrdersController,
    LegacyOrdersController,
    LiveController,
    ReportsController,
    ProductController,
]
