"""The catalog: only products in stock, with their seller, searchable and paged by key."""

from __future__ import annotations

from sqlalchemy import or_, select

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import convert
from workshop_tui.services._tx import read_only
from workshop_tui.services.errors import InvalidInput, NotFound
from workshop_tui.services.types import Category, Product, ProductPage, Seller

MAX_PAGE = 200


def like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check_id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidInput(f"{what} must be a positive whole number")
    return value


class CatalogService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(
        self,
        query: str = "",
        *,
        seller_id: int | None = None,
        category_id: int | None = None,
        limit: int = 50,
        after: int | None = None,
    ) -> ProductPage:
        """Products with stock > 0 whose name or SKU contains `query`, by id, `limit` at a time."""
        if not isinstance(query, str) or len(query) > 100:
            raise InvalidInput("a search is at most 100 characters")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be 1 to {MAX_PAGE}")
        stmt = convert.product_query().where(m.Inventory.stock_remaining > 0, m.Product.is_active)
        q = query.strip()
        if q:
            pattern = like_pattern(q)
            stmt = stmt.where(or_(m.Product.name.ilike(pattern), m.Product.sku.ilike(pattern)))
        if seller_id is not None:
            stmt = stmt.where(m.Product.seller_id == check_id(seller_id, "seller_id"))
        if category_id is not None:
            stmt = stmt.where(m.Product.category_id == check_id(category_id, "category_id"))
        if after is not None:
            after = check_id(after, "after")
            # The bound on both sides of the join: PostgreSQL does not carry a range across
            # it, and without it a deep page walks inventory from its first row.
            stmt = stmt.where(m.Product.id > after, m.Inventory.product_id > after)
        stmt = stmt.order_by(m.Product.id).limit(limit + 1)
        rows = read_only(self.db, lambda s: s.execute(stmt).all())
        items = tuple(convert.product(r) for r in rows[:limit])
        return ProductPage(items=items, next_after=items[-1].id if len(rows) > limit else None)

    def get(self, product_id: int) -> Product:
        """One product whatever its stock (carts and orders show sold-out lines too)."""
        check_id(product_id, "product_id")
        row = read_only(
            self.db,
            lambda s: s.execute(convert.product_query().where(m.Product.id == product_id)).first(),
        )
        if row is None:
            raise NotFound(f"no product #{product_id}")
        return convert.product(row)

    def by_sku(self, sku: str) -> Product:
        """Exact SKU (case-insensitive), as a barcode scanner types it."""
        code = (sku or "").strip()
        if not code or len(code) > 40:
            raise InvalidInput("scan or type a SKU")
        row = read_only(
            self.db,
            lambda s: s.execute(
                convert.product_query().where(m.Product.sku.ilike(like_pattern(code)[1:-1]))
            ).first(),
        )
        if row is None:
            raise NotFound(f"no product with SKU {code}")
        return convert.product(row)

    def sellers(self) -> list[Seller]:
        rows = read_only(
            self.db,
            lambda s: s.execute(
                select(m.Seller.id, m.Seller.name, m.Seller.rating).order_by(m.Seller.name)
            ).all(),
        )
        return [Seller(*r) for r in rows]

    def categories(self) -> list[Category]:
        rows = read_only(
            self.db,
            lambda s: s.execute(
                select(m.Category.id, m.Category.name).order_by(m.Category.name)
            ).all(),
        )
        return [Category(*r) for r in rows]
