"""Repositories: the SQL of orders, products and order events (run on the database thread)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .database import Database, transaction
from .domain import Order, OrderLine, OrderStatus, Product

__all__ = ["OrderEvent", "OrderRepository", "ProductRepository", "SalesFigures"]


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


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _order(db: sqlite3.Connection, row: sqlite3.Row) -> Order:
    lines = db.execute(
        "SELECT sku, name, quantity, unit_price_cents FROM order_lines"
        " WHERE order_id = ? ORDER BY position",
        (row["id"],),
    ).fetchall()
    return Order(
        id=row["id"],
        customer=row["customer"],
        status=OrderStatus(row["status"]),
        lines=tuple(OrderLine(*line) for line in lines),
        created_by=row["created_by"],
        created_at=_time(row["created_at"]),
        confirmed_at=None if row["confirmed_at"] is None else _time(row["confirmed_at"]),
    )


def _record(db: sqlite3.Connection, order_id: int, kind: str, status: str, at: str) -> None:
    db.execute(
        "INSERT INTO order_events (order_id, type, status, at) VALUES (?, ?, ?, ?)",
        (order_id, kind, status, at),
    )


class OrderRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(
        self, customer: str, lines: Sequence[OrderLine], created_by: str, now: dt.datetime
    ) -> Order:
        def work(db: sqlite3.Connection) -> Order:
            with transaction(db):
                cursor = db.execute(
                    "INSERT INTO orders (customer, status, created_by, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (customer, OrderStatus.PLACED.value, created_by, now.isoformat()),
                )
                order_id = cursor.lastrowid
                assert order_id is not None
                db.executemany(
                    "INSERT INTO order_lines (order_id, position, sku, name, quantity,"
                    " unit_price_cents) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (order_id, i, ln.sku, ln.name, ln.quantity, ln.unit_price_cents)
                        for i, ln in enumerate(lines)
                    ],
                )
                _record(db, order_id, "order.created", OrderStatus.PLACED.value, now.isoformat())
            return Order(order_id, customer, OrderStatus.PLACED, tuple(lines), created_by, now)

        return await self.database.run(work)

    async def get(self, order_id: int) -> Order | None:
        def work(db: sqlite3.Connection) -> Order | None:
            row = db.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
            return None if row is None else _order(db, row)

        return await self.database.run(work)

    async def page(
        self, status: OrderStatus | None, limit: int, offset: int
    ) -> tuple[list[Order], int]:
        """Newest first; ``(orders, how many match overall)``."""
        where, args = ("WHERE status = ?", (status.value,)) if status else ("", ())

        def work(db: sqlite3.Connection) -> tuple[list[Order], int]:
            (total,) = db.execute(f"SELECT count(*) FROM orders {where}", args).fetchone()
            rows = db.execute(
                f"SELECT * FROM orders {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                (*args, limit, offset),
            ).fetchall()
            return [_order(db, row) for row in rows], total

        return await self.database.run(work)

    async def change_status(
        self, order_id: int, status: OrderStatus, now: dt.datetime
    ) -> Order | None:
        """Move a *placed* order to ``status``; ``None`` when it is not placed (any more)."""

        def work(db: sqlite3.Connection) -> Order | None:
            with transaction(db):
                changed = db.execute(
                    "UPDATE orders SET status = ? WHERE id = ? AND status = ?",
                    (status.value, order_id, OrderStatus.PLACED.value),
                ).rowcount
                if not changed:
                    return None
                _record(db, order_id, f"order.{status.value}", status.value, now.isoformat())
                row = db.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
                return _order(db, row)

        return await self.database.run(work)

    async def mark_confirmed(self, order_id: int, now: dt.datetime) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            with transaction(db):
                row = db.execute(
                    "UPDATE orders SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL"
                    " RETURNING status",
                    (now.isoformat(), order_id),
                ).fetchone()
                if row is None:
                    return False
                _record(db, order_id, "order.confirmed", row["status"], now.isoformat())
                return True

        return await self.database.run(work)

    async def events_after(self, event_id: int, limit: int = 100) -> list[OrderEvent]:
        def work(db: sqlite3.Connection) -> list[OrderEvent]:
            rows = db.execute(
                "SELECT * FROM order_events WHERE id > ? ORDER BY id LIMIT ?", (event_id, limit)
            ).fetchall()
            return [
                OrderEvent(r["id"], r["order_id"], r["type"], r["status"], _time(r["at"]))
                for r in rows
            ]

        return await self.database.run(work)

    async def last_event_id(self) -> int:
        def work(db: sqlite3.Connection) -> int:
            (last,) = db.execute("SELECT coalesce(max(id), 0) FROM order_events").fetchone()
            return int(last)

        return await self.database.run(work)

    async def sales(self) -> SalesFigures:
        def work(db: sqlite3.Connection) -> SalesFigures:
            counts = db.execute("SELECT status, count(*) FROM orders GROUP BY status").fetchall()
            units = db.execute(
                "SELECT l.sku, sum(l.quantity), sum(l.quantity * l.unit_price_cents)"
                " FROM order_lines l JOIN orders o ON o.id = l.order_id"
                " WHERE o.status != ? GROUP BY l.sku ORDER BY l.sku",
                (OrderStatus.CANCELLED.value,),
            ).fetchall()
            return SalesFigures(
                orders_by_status=dict(counts),
                revenue_cents=sum(row[2] for row in units),
                units_by_sku={row[0]: row[1] for row in units},
            )

        return await self.database.run(work)


class ProductRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def seed(self, products: Iterable[Product]) -> None:
        """Add the products that are not in the catalog yet (first start)."""
        rows = [(p.sku, p.name, p.price_cents) for p in products]

        def work(db: sqlite3.Connection) -> None:
            with transaction(db):
                db.executemany("INSERT OR IGNORE INTO products VALUES (?, ?, ?)", rows)

        await self.database.run(work)

    async def page(self, limit: int, offset: int) -> tuple[list[Product], int]:

        def work(db: sqlite3.Connection) -> tuple[list[Product], int]:
            (total,) = db.execute("SELECT count(*) FROM products").fetchone()
            rows = db.execute(
                "SELECT sku, name, price_cents FROM products ORDER BY sku LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
            return [Product(*row) for row in rows], total

        return await self.database.run(work)

    async def by_sku(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = sorted(set(skus))
        marks = ", ".join("?" * len(wanted))

        def work(db: sqlite3.Connection) -> dict[str, Product]:
            rows = db.execute(
                f"SELECT sku, name, price_cents FROM products WHERE sku IN ({marks})", wanted
            ).fetchall()
            return {row[0]: Product(*row) for row in rows}

        return await self.database.run(work)

    async def add(self, product: Product) -> bool:
        """``False`` when the SKU is taken."""

        def work(db: sqlite3.Connection) -> bool:
            with transaction(db):
                cursor = db.execute(
                    "INSERT OR IGNORE INTO products VALUES (?, ?, ?)",
                    (product.sku, product.name, product.price_cents),
                )
                return cursor.rowcount == 1

        return await self.database.run(work)

    async def replace(self, product: Product) -> bool:
        """``False`` when there is no such product."""

        def work(db: sqlite3.Connection) -> bool:
            with transaction(db):
                cursor = db.execute(
                    "UPDATE products SET name = ?, price_cents = ? WHERE sku = ?",
                    (product.name, product.price_cents, product.sku),
                )
                return cursor.rowcount == 1

        return await self.database.run(work)

    async def remove(self, sku: str) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            with transaction(db):
                return db.execute("DELETE FROM products WHERE sku = ?", (sku,)).rowcount == 1

        return await self.database.run(work)
