"""Restocking, the low-stock list and the reconciler of stock against its movements."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.auth import require_staff
from workshop_tui.services.catalog import CatalogService
from workshop_tui.services.errors import InvalidInput, NotFound
from workshop_tui.services.events import EventService
from workshop_tui.services.orders import lock_inventory, move_stock
from workshop_tui.services.types import Account, Drift, LowStockItem, Product, ReconcileReport
from workshop_tui.services.validate import check_id


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

        def work(s: Session):
            if not lock_inventory(s, [product_id]):
                raise NotFound(f"no product #{product_id}")
            return move_stock(s, {product_id: quantity}, "restock", None, actor.id)

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
            checked = s.scalar(select(func.count()).select_from(m.Inventory))
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
