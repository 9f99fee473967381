"""Stock: every change to a product's stock and its movement, restocking, the low-stock
list and the reconciler of stock against its movements.

Every stock change outside the checkout goes through `adjust_stock` (lock the rows,
move the stock, log each movement); the checkout takes its stock in its own one
statement (services.checkout), with the same movement rows.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import locks
from workshop_tui.services._sql import Tx
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.auth import require_staff
from workshop_tui.services.catalog import CatalogService
from workshop_tui.services.errors import InvalidInput, NotFound
from workshop_tui.services.events import EventService
from workshop_tui.services.types import (
    Account,
    Drift,
    LowStockItem,
    Product,
    ReconcileReport,
    StockChange,
)
from workshop_tui.services.validate import check_id


# Stock and its movement in one round trip: the rows are already locked (locks.inventory).
# Every part names the seller and the movements go in as a VALUES list of their own length,
# so on a database sharded by seller the statement runs on the seller's shard alone (rows
# selected from a CTE would pass through the coordinator, to every worker).
@functools.cache
def move_stock_statement(moves: int) -> str:
    rows = ", ".join(
        f"(%(pid_{n})s, %(seller)s, %(delta_{n})s, %(reason)s, %(order_id)s, %(actor_id)s)"
        for n in range(moves)
    )
    return f"""
    WITH moved AS (
        UPDATE inventory SET stock_remaining = inventory.stock_remaining + d.delta, updated_at = now()
          FROM unnest(CAST(%(pids)s AS integer[]), CAST(%(deltas)s AS integer[])) AS d(pid, delta)
         WHERE inventory.seller_id = %(seller)s AND inventory.product_id = d.pid
        RETURNING inventory.product_id, inventory.stock_remaining
    ),
    logged AS (
        INSERT INTO stock_movements (product_id, seller_id, delta, reason, order_id, actor_id)
        VALUES {rows}
    )
    SELECT product_id, stock_remaining FROM moved ORDER BY product_id
    """


MOVE_STOCK = move_stock_statement(1)  # one product's, for EXPLAIN in the tests


SELLERS_OF = "SELECT id, seller_id FROM products WHERE id = ANY(CAST(%(ids)s AS integer[]))"


def adjust_stock(
    tx: Tx,
    deltas: Mapping[int, int],
    reason: str,
    *,
    order_id: int | None,
    actor_id: int | None,
    seller_id: int | None = None,
) -> list[StockChange]:
    """Lock the products' inventory rows, apply the deltas and log one movement each.

    Returns the new levels; NotFound when a product has no inventory row.
    """
    if seller_id is None:
        # Staff restocking name products only: their sellers first (rows sharded by seller
        # are locked and moved with the seller named), one seller's products at a time.
        sellers = sql.rows(tx, SELLERS_OF, {"ids": sorted(deltas)})
        unknown = sorted(set(deltas) - {pid for pid, _ in sellers})
        if unknown:
            raise NotFound(f"no product #{unknown[0]}")
        changes: list[StockChange] = []
        for sid in sorted({sid for _, sid in sellers}):
            part = {pid: deltas[pid] for pid, owner in sellers if owner == sid}
            changes += adjust_stock(
                tx, part, reason, order_id=order_id, actor_id=actor_id, seller_id=sid
            )
        return sorted(changes, key=lambda c: c.product_id)
    held = locks.inventory(tx, deltas, seller_id)
    unknown = sorted(set(deltas) - set(held))
    if unknown:
        raise NotFound(f"no product #{unknown[0]}")
    return move_stock(tx, deltas, reason, order_id=order_id, actor_id=actor_id, seller_id=seller_id)


def move_stock(
    tx: Tx,
    deltas: Mapping[int, int],
    reason: str,
    *,
    order_id: int | None,
    actor_id: int | None,
    seller_id: int,
) -> list[StockChange]:
    """Apply stock deltas to one seller's rows, already locked (every product has its row),
    and log their movements; return the new levels."""
    moves = sorted((pid, delta) for pid, delta in deltas.items() if delta)
    if not moves:
        return []
    params: dict[str, object] = {
        "seller": seller_id,
        "pids": [pid for pid, _ in moves],
        "deltas": [delta for _, delta in moves],
        "reason": reason,
        "order_id": order_id,
        "actor_id": actor_id,
    }
    for n, (pid, delta) in enumerate(moves):
        params |= {f"pid_{n}": pid, f"delta_{n}": delta}
    rows = sql.rows(tx, move_stock_statement(len(moves)), params)
    return [StockChange(pid, stock) for pid, stock in rows]


class StockService:
    def __init__(self, db: Database, events: EventService) -> None:
        self.db = db
        self.events = events

    def restock(self, actor: Account, product_id: int, quantity: int) -> Product:
        require_staff(actor)
        check_id(product_id, "product_id")
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= 100_000
        ):
            raise InvalidInput("restock 1 to 100,000 units")

        def work(s: Tx) -> list[StockChange]:
            return adjust_stock(
                s, {product_id: quantity}, "restock", order_id=None, actor_id=actor.id
            )

        changes = in_transaction(self.db, work)
        self.events.stock_changed(changes)
        return CatalogService(self.db).get(product_id)

    def low_stock(self, actor: Account, *, limit: int = 100) -> list[LowStockItem]:
        require_staff(actor)
        rows = read_only(
            self.db,
            lambda s: s.execute(
                select(
                    m.Product.id,
                    m.Product.sku,
                    m.Product.name,
                    m.Seller.name,
                    m.Inventory.stock_remaining,
                    m.Inventory.low_stock_threshold,
                )
                .join(m.Inventory, m.Inventory.product_id == m.Product.id)
                .join(m.Seller, m.Seller.id == m.Product.seller_id)
                .where(
                    m.Inventory.stock_remaining <= m.Inventory.low_stock_threshold,
                    m.Product.is_active,
                )
                .order_by(m.Inventory.stock_remaining, m.Product.id)
                .limit(limit)
            ).all(),
        )
        return [LowStockItem(*r) for r in rows]

    def reconcile(self) -> ReconcileReport:
        """stock_remaining must equal the sum of the product's stock movements."""
        moved = (
            select(m.StockMovement.product_id, func.sum(m.StockMovement.delta).label("total"))
            .group_by(m.StockMovement.product_id)
            .subquery()
        )

        def work(s: Session) -> ReconcileReport:
            checked = s.scalar(select(func.count()).select_from(m.Inventory)) or 0
            rows = s.execute(
                select(
                    m.Inventory.product_id,
                    m.Inventory.stock_remaining,
                    func.coalesce(moved.c.total, 0),
                )
                .outerjoin(moved, moved.c.product_id == m.Inventory.product_id)
                .where(m.Inventory.stock_remaining != func.coalesce(moved.c.total, 0))
                .order_by(m.Inventory.product_id)
            ).all()
            return ReconcileReport(products_checked=checked, drifts=tuple(Drift(*r) for r in rows))

        return read_only(self.db, work)
