"""Repositories: the SQL of orders, products and order events, written once for SQLite and
PostgreSQL (``?`` placeholders; see ``database.Session``).

Placing an order writes the order, its lines, its first ``order_events`` row and, when the
database has an outbox (Redis is configured), its ``OrderPlaced`` integration event, in one
transaction: the event exists if and only if the order does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .database import Database, Row, Session
from .domain import Order, OrderLine, OrderStatus, Product
from .events import OrderPlaced

__all__ = ["OrderEvent", "OrderRepository", "ProductRepository", "SalesFigures"]

_LINES = "SELECT order_id, sku, name, quantity, unit_price_cents FROM order_lines"


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One change of an order, in the order changes happened (``id`` grows)."""

    id: int
    order_id: int
    type: str
    status: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class SalesFigures:
    orders_by_status: dict[str, int]
    revenue_cents: int
    units_by_sku: dict[str, int]


def _time(value: str | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


async def _orders(session: Session, rows: list[Row]) -> list[Order]:
    """The orders of ``rows`` with their lines (one query for all the lines)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    lines: dict[int, list[OrderLine]] = {order_id: [] for order_id in ids}
    found = await session.fetch_all(
        f"{_LINES} WHERE order_id IN ({_marks(len(ids))}) ORDER BY order_id, position", *ids
    )
    for line in found:
        lines[line["order_id"]].append(
            OrderLine(line["sku"], line["name"], line["quantity"], line["unit_price_cents"])
        )
    return [
        Order(
            id=row["id"],
            customer=row["customer"],
            status=OrderStatus(row["status"]),
            lines=tuple(lines[row["id"]]),
            created_by=row["created_by"],
            created_at=_time(row["created_at"]),
            confirmed_at=None if row["confirmed_at"] is None else _time(row["confirmed_at"]),
        )
        for row in rows
    ]


async def _record(session: Session, order_id: int, kind: str, status: str, at: dt.datetime) -> None:
    await session.execute(
        "INSERT INTO order_events (order_id, type, status, at) VALUES (?, ?, ?, ?)",
        order_id, kind, status, at,
    )  # fmt: skip


class OrderRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(
        self, customer: str, lines: Sequence[OrderLine], created_by: str, now: dt.datetime
    ) -> Order:
        async with self.database.write() as session:
            row = await session.fetch_one(
                "INSERT INTO orders (customer, status, created_by, created_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                customer, OrderStatus.PLACED.value, created_by, now,
            )  # fmt: skip
            assert row is not None
            order_id: int = row["id"]
            await session.execute_many(
                "INSERT INTO order_lines (order_id, position, sku, name, quantity,"
                " unit_price_cents) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (order_id, i, ln.sku, ln.name, ln.quantity, ln.unit_price_cents)
                    for i, ln in enumerate(lines)
                ],
            )
            await _record(session, order_id, "order.created", OrderStatus.PLACED.value, now)
            if self.database.outbox is not None:
                await session.add_event(OrderPlaced(order_id))
        return Order(order_id, customer, OrderStatus.PLACED, tuple(lines), created_by, now)

    async def get(self, order_id: int) -> Order | None:
        async with self.database.read() as session:
            row = await session.fetch_one("SELECT * FROM orders WHERE id = ?", order_id)
            found = await _orders(session, [] if row is None else [row])
        return found[0] if found else None

    async def page(
        self, status: OrderStatus | None, limit: int, offset: int
    ) -> tuple[list[Order], int]:
        """Newest first; ``(orders, how many match overall)``."""
        where, args = ("WHERE status = ?", (status.value,)) if status else ("", ())
        async with self.database.read() as session:
            total = await session.fetch_one(f"SELECT count(*) AS n FROM orders {where}", *args)
            rows = await session.fetch_all(
                f"SELECT * FROM orders {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                *args, limit, offset,
            )  # fmt: skip
            orders = await _orders(session, rows)
        return orders, 0 if total is None else int(total["n"])

    async def change_status(
        self, order_id: int, status: OrderStatus, now: dt.datetime
    ) -> Order | None:
        """Move a *placed* order to ``status``; ``None`` when it is not placed (any more)."""
        async with self.database.write() as session:
            changed = await session.execute(
                "UPDATE orders SET status = ? WHERE id = ? AND status = ?",
                status.value, order_id, OrderStatus.PLACED.value,
            )  # fmt: skip
            if not changed:
                return None
            await _record(session, order_id, f"order.{status.value}", status.value, now)
            row = await session.fetch_one("SELECT * FROM orders WHERE id = ?", order_id)
            assert row is not None
            (order,) = await _orders(session, [row])
        return order

    async def mark_confirmed(self, order_id: int, now: dt.datetime) -> bool:
        """Record the confirmation once: ``False`` when it was already recorded."""
        async with self.database.write() as session:
            row = await session.fetch_one(
                "UPDATE orders SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL"
                " RETURNING status",
                now, order_id,
            )  # fmt: skip
            if row is None:
                return False
            await _record(session, order_id, "order.confirmed", row["status"], now)
        return True

    async def unconfirmed(self, after: int, limit: int = 100) -> list[int]:
        """Ids of orders never confirmed (oldest first), after id ``after``."""
        async with self.database.read() as session:
            rows = await session.fetch_all(
                "SELECT id FROM orders WHERE confirmed_at IS NULL AND id > ? ORDER BY id LIMIT ?",
                after, limit,
            )  # fmt: skip
        return [row["id"] for row in rows]

    async def events_after(self, event_id: int, limit: int = 100) -> list[OrderEvent]:
        async with self.database.read() as session:
            rows = await session.fetch_all(
                "SELECT * FROM order_events WHERE id > ? ORDER BY id LIMIT ?", event_id, limit
            )
        return [
            OrderEvent(r["id"], r["order_id"], r["type"], r["status"], _time(r["at"])) for r in rows
        ]

    async def last_event_id(self) -> int:
        async with self.database.read() as session:
            row = await session.fetch_one("SELECT coalesce(max(id), 0) AS last FROM order_events")
        return 0 if row is None else int(row["last"])

    async def sales(self) -> SalesFigures:
        async with self.database.read() as session:
            counts = await session.fetch_all(
                "SELECT status, count(*) AS n FROM orders GROUP BY status"
            )
            units = await session.fetch_all(
                "SELECT l.sku AS sku, sum(l.quantity) AS units,"
                " sum(l.quantity * l.unit_price_cents) AS cents"
                " FROM order_lines l JOIN orders o ON o.id = l.order_id"
                " WHERE o.status != ? GROUP BY l.sku ORDER BY l.sku",
                OrderStatus.CANCELLED.value,
            )
        return SalesFigures(
            orders_by_status={row["status"]: int(row["n"]) for row in counts},
            revenue_cents=sum(int(row["cents"]) for row in units),
            units_by_sku={row["sku"]: int(row["units"]) for row in units},
        )


class ProductRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def seed(self, products: Iterable[Product]) -> None:
        """Add the products that are not in the catalog yet (first start)."""
        rows = [(p.sku, p.name, p.price_cents) for p in products]
        async with self.database.write() as session:
            await session.execute_many(
                "INSERT INTO products (sku, name, price_cents) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                rows,
            )

    async def page(self, limit: int, offset: int) -> tuple[list[Product], int]:
        async with self.database.read() as session:
            total = await session.fetch_one("SELECT count(*) AS n FROM products")
            rows = await session.fetch_all(
                "SELECT sku, name, price_cents FROM products ORDER BY sku LIMIT ? OFFSET ?",
                limit, offset,
            )  # fmt: skip
        products = [Product(r["sku"], r["name"], r["price_cents"]) for r in rows]
        return products, 0 if total is None else int(total["n"])

    async def by_sku(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        async with self.database.read() as session:
            rows = await session.fetch_all(
                f"SELECT sku, name, price_cents FROM products WHERE sku IN ({_marks(len(wanted))})",
                *wanted,
            )
        return {r["sku"]: Product(r["sku"], r["name"], r["price_cents"]) for r in rows}

    async def add(self, product: Product) -> bool:
        """``False`` when the SKU is taken."""
        async with self.database.write() as session:
            added = await session.execute(
                "INSERT INTO products (sku, name, price_cents) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                product.sku, product.name, product.price_cents,
            )  # fmt: skip
        return added == 1

    async def replace(self, product: Product) -> bool:
        """``False`` when there is no such product."""
        async with self.database.write() as session:
            changed = await session.execute(
                "UPDATE products SET name = ?, price_cents = ? WHERE sku = ?",
                product.name, product.price_cents, product.sku,
            )  # fmt: skip
        return changed == 1

    async def remove(self, sku: str) -> bool:
        async with self.database.write() as session:
            removed = await session.execute("DELETE FROM products WHERE sku = ?", sku)
        return removed == 1
