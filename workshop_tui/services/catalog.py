"""The catalog: only products in stock, with their seller, searchable and paged by key."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import convert
from workshop_tui.services._tx import read_only, read_plain
from workshop_tui.services.errors import InvalidInput, NotFound
from workshop_tui.services.types import Category, Product, ProductPage, Seller
from workshop_tui.services.validate import check_id, check_limit, clean_text

MAX_PAGE = 200

# Plain SQL on the driver's cursor (see services._sql): the product list is what every
# shop screen and web page asks for most, and SQLAlchemy's statement building cost more
# CPU than PostgreSQL's answer. Filters are fixed fragments; values are always parameters.
PRODUCTS = """
    SELECT p.id, p.sku, p.name, p.price, i.stock_remaining, s.id AS seller_id,
           s.name AS seller_name, s.rating AS seller_rating, c.id AS category_id,
           c.name AS category_name
    FROM products p
    JOIN inventory i ON i.seller_id = p.seller_id AND i.product_id = p.id
    JOIN sellers s ON s.id = p.seller_id
    JOIN categories c ON c.id = p.category_id"""


# A page's conditions by the value they take (`limit`, always last, is not a condition).
FILTERS = {
    "pattern": "(p.name ILIKE {pattern} OR p.sku ILIKE {pattern})",
    "seller_id": "p.seller_id = {seller_id}",
    "category_id": "p.category_id = {category_id}",
    # The bound on both sides of the join: PostgreSQL does not carry a range across
    # it, and without it a deep page walks inventory from its first row.
    "after": "p.id > {after} AND i.product_id > {after}",
}
TYPES = {"pattern": "text", "seller_id": "integer", "category_id": "integer",
         "after": "integer", "limit": "integer"}  # fmt: skip


def page_sql(names: tuple[str, ...], placeholders: dict[str, str]) -> str:
    """One catalog page's SQL for the given filters, values written as `placeholders`."""
    where = ["i.stock_remaining > 0", "p.is_active", *(FILTERS[n] for n in names if n in FILTERS)]
    template = f"{PRODUCTS} WHERE {' AND '.join(where)} ORDER BY p.id LIMIT {{limit}}"
    return template.format(**placeholders)


@cache
def browse_statement(names: tuple[str, ...]) -> sql.Prepared:
    """The prepared page for a combination of filters (no text search): at most 8 of them."""
    placeholders = {name: f"${n}" for n, name in enumerate(names, 1)}
    label = "_".join(n.removesuffix("_id") for n in names)
    return sql.Prepared(
        f"workshop_products_{label}", page_sql(names, placeholders), tuple(TYPES[n] for n in names)
    )


def like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


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
        q = clean_text(query, "a search", 100)
        check_limit(limit, MAX_PAGE)
        values: dict[str, object] = {}
        if q:
            values["pattern"] = like_pattern(q)
        if seller_id is not None:
            values["seller_id"] = check_id(seller_id, "seller_id")
        if category_id is not None:
            values["category_id"] = check_id(category_id, "category_id")
        if after is not None:
            values["after"] = check_id(after, "after")
        values["limit"] = limit + 1
        if q:  # each text's own selectivity decides its plan: planned every time
            statement = page_sql(tuple(values), {name: f"%({name})s" for name in values})
            rows = read_plain(self.db, lambda tx: sql.rows(tx, statement, values))
        else:
            prepared = browse_statement(tuple(values))
            rows = read_plain(
                self.db, lambda tx: sql.prepared_rows(tx, prepared, tuple(values.values()))
            )
        items = tuple(convert.product(r) for r in rows[:limit])
        return ProductPage(items=items, next_after=items[-1].id if len(rows) > limit else None)

    def get(self, product_id: int) -> Product:
        """One product whatever its stock (carts and orders show sold-out lines too)."""
        params = {"id": check_id(product_id, "product_id")}
        found = read_plain(
            self.db, lambda tx: sql.row(tx, f"{PRODUCTS} WHERE p.id = %(id)s", params)
        )
        if found is None:
            raise NotFound(f"no product #{product_id}")
        return convert.product(found)

    def by_sku(self, sku: str) -> Product:
        """Exact SKU (case-insensitive), as a barcode scanner types it."""
        code = (sku or "").strip()
        if not code or len(code) > 40:
            raise InvalidInput("scan or type a SKU")
        params = {"sku": like_pattern(code)[1:-1]}
        found = read_plain(
            self.db, lambda tx: sql.row(tx, f"{PRODUCTS} WHERE p.sku ILIKE %(sku)s", params)
        )
        if found is None:
            raise NotFound(f"no product with SKU {code}")
        return convert.product(found)

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
