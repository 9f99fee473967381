"""The cart: stored per account in the database, one seller at a time.

The single-seller rule is also the schema's (cart_items carry the cart's seller
under a composite foreign key), so no code path can mix sellers in one cart.

The cart is on every sale's hot path, so its statements are built once, over
tables rather than ORM entities (a third of the client CPU per statement).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import locks, routing
from workshop_tui.services._sql import Tx
from workshop_tui.services._tx import in_plain_transaction, read_only
from workshop_tui.services.errors import InvalidInput, NotFound, OutOfStock, SellerConflict
from workshop_tui.services.locks import LockedCart
from workshop_tui.services.types import Account, Cart, CartLine
from workshop_tui.services.validate import check_id, check_quantity

FIND_CART = "SELECT id, seller_id FROM carts WHERE customer_id = %(owner)s"
LINE_QUANTITY = (
    "SELECT quantity FROM cart_items"
    " WHERE seller_id = %(sid)s AND cart_id = %(cart)s AND product_id = %(pid)s"
)
PRODUCT = """
    SELECT p.seller_id, p.name, p.is_active, inv.stock_remaining, s.name AS seller_name
      FROM products p
      JOIN inventory inv ON inv.seller_id = p.seller_id AND inv.product_id = p.id
      JOIN sellers s ON s.id = p.seller_id
     WHERE p.id = %(pid)s
"""
SELLER_NAME = "SELECT name FROM sellers WHERE id = %(sid)s"
DELETE_LINE = (
    "DELETE FROM cart_items WHERE seller_id = %(sid)s AND cart_id = %(cart)s"
    " AND product_id = %(pid)s"
)
SET_SELLER = "UPDATE carts SET seller_id = %(sid)s WHERE customer_id = %(owner)s AND id = %(cart)s"
# A cart's lines are its seller's rows (one shard when sharded by seller): each statement
# on them names that seller, and the cart row (the customer's) is written on its own.
EMPTY_LINES = "DELETE FROM cart_items WHERE seller_id = %(old)s AND cart_id = %(cart)s"
LINES = """
    SELECT i.product_id, p.sku, p.name, p.price, i.quantity, inv.stock_remaining
      FROM cart_items i
      JOIN products p ON p.seller_id = i.seller_id AND p.id = i.product_id
      JOIN inventory inv ON inv.seller_id = i.seller_id AND inv.product_id = i.product_id
     WHERE i.seller_id = %(sid)s AND i.cart_id = %(cart)s
     ORDER BY i.added_at, i.product_id
"""
# Set one line and answer with every line, in one round trip: the line as written
# (RETURNING) with the others as they stand. The cart's lock is held, so no other line
# changes under it.
UPSERT_LINE = """
    WITH line AS (
        INSERT INTO cart_items (cart_id, product_id, seller_id, quantity)
        VALUES (%(cart)s, %(pid)s, %(sid)s, %(qty)s)
        ON CONFLICT (cart_id, product_id, seller_id) DO UPDATE SET quantity = EXCLUDED.quantity
        RETURNING product_id, quantity, added_at
    ),
    lines AS (
        SELECT product_id, quantity, added_at FROM line
        UNION ALL
        SELECT product_id, quantity, added_at FROM cart_items
         WHERE seller_id = %(sid)s AND cart_id = %(cart)s AND product_id <> %(pid)s
    )
    SELECT i.product_id, p.sku, p.name, p.price, i.quantity, inv.stock_remaining
      FROM lines i
      JOIN products p ON p.seller_id = %(sid)s AND p.id = i.product_id
      JOIN inventory inv ON inv.seller_id = %(sid)s AND inv.product_id = i.product_id
     ORDER BY i.added_at, i.product_id
"""
_PRODUCT = sql.Planned("cart_product", PRODUCT, {"pid": "integer"})
# On one server the cart's lock and the product's row come in one round trip (on a
# database sharded by seller they live on different shards, and are asked apart).
_LOCK_CART_WITH_PRODUCT = locks.cart_with_row_statement(
    "lock_cart_with_product",
    PRODUCT,
    ("seller_id", "name", "is_active", "stock_remaining", "seller_name"),
    {"pid": "integer"},
)
_SET_SELLER = sql.Planned(
    "cart_set_seller", SET_SELLER, {"sid": "integer", "owner": "integer", "cart": "integer"}
)
_EMPTY_LINES = sql.Planned("cart_empty_lines", EMPTY_LINES, {"old": "integer", "cart": "integer"})
_UPSERT_LINE = sql.Planned(
    "cart_upsert_line",
    UPSERT_LINE,
    {"sid": "integer", "cart": "integer", "pid": "integer", "qty": "integer"},
)


def cart_lines(rows: list[Any]) -> tuple[CartLine, ...]:
    """CartLines from rows shaped as LINES returns them."""
    return tuple(
        CartLine(
            product_id=r[0],
            sku=r[1],
            name=r[2],
            unit_price=r[3],
            quantity=r[4],
            stock=r[5],
            line_total=r[3] * r[4],
        )
        for r in rows
    )


def cart_view(
    s: Tx, owner_id: int, cart_id: int, seller_id: int | None, seller_name: str | None
) -> Cart:
    lines = (
        cart_lines(sql.rows(s, LINES, {"cart": cart_id, "sid": seller_id}))
        if seller_id is not None
        else ()
    )
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    if not lines:
        seller_id = seller_name = None
    elif seller_name is None:
        seller_name = sql.value(s, SELLER_NAME, {"sid": seller_id})
    return Cart(
        customer_id=owner_id, seller_id=seller_id, seller_name=seller_name, lines=lines, total=total
    )


def read_cart(s: Tx, owner_id: int) -> Cart:
    cart = sql.row(s, FIND_CART, {"owner": owner_id})
    if cart is None:
        return Cart(
            customer_id=owner_id, seller_id=None, seller_name=None, lines=(), total=Decimal("0.00")
        )
    return cart_view(s, owner_id, cart.id, cart.seller_id, None)


def empty_cart(tx: Tx, cart: LockedCart, *, seller_id: int | None = None) -> None:
    """Remove every line and hand the cart to `seller_id` (None: free for any seller)."""
    at = {"cart": cart.id, "owner": cart.owner, "sid": seller_id, "old": cart.seller_id}
    if cart.seller_id is None:
        sql.run_planned(tx, _SET_SELLER, at)
    else:  # one message: no result is needed
        sql.run_planned_together(tx, (_EMPTY_LINES, at), (_SET_SELLER, at))


class CartService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, actor: Account) -> Cart:
        return read_only(self.db, lambda s: read_cart(s, actor.id))

    def set_quantity(
        self, actor: Account, product_id: int, quantity: int, *, replace: bool = False
    ) -> Cart:
        """Set a line to `quantity` (0 removes it). Another seller's product is refused with
        seller_conflict unless `replace`, which empties the cart first."""
        check_id(product_id, "product_id")
        check_quantity(quantity, self.db.settings.max_line_quantity)

        def work(s: Tx) -> Cart:
            cart, product = self._lock(s, actor.id, product_id)
            return self._set(s, actor.id, cart, product, product_id, quantity, replace)

        return in_plain_transaction(self.db, work, idempotent=True)  # a quantity, not a delta

    def change(self, actor: Account, product_id: int, delta: int, *, replace: bool = False) -> Cart:
        """The + and - buttons: add `delta` (may be negative) to the line's quantity."""
        check_id(product_id, "product_id")
        if (
            isinstance(delta, bool)
            or not isinstance(delta, int)
            or abs(delta) > self.db.settings.max_line_quantity
        ):
            raise InvalidInput("a change is a small whole number")

        def work(s: Tx) -> Cart:
            cart, product = self._lock(s, actor.id, product_id)
            current = 0
            if cart.seller_id is not None:
                at = {"cart": cart.id, "pid": product_id, "sid": cart.seller_id}
                current = sql.value(s, LINE_QUANTITY, at) or 0
            wanted = max(0, current + delta)
            check_quantity(wanted, self.db.settings.max_line_quantity)
            return self._set(s, actor.id, cart, product, product_id, wanted, replace)

        return in_plain_transaction(self.db, work)

    def clear(self, actor: Account) -> Cart:
        def work(s: Tx) -> Cart:
            cart = locks.cart(s, actor.id)
            empty_cart(s, cart)
            return cart_view(s, actor.id, cart.id, None, None)

        return in_plain_transaction(self.db, work, idempotent=True)

    def _lock(self, s: Tx, owner_id: int, product_id: int) -> tuple[LockedCart, Any | None]:
        """The owner's cart, locked (services.locks), and the product's row (or None)."""
        if not routing.sharded(self.db, s):
            found = locks.cart_with_row(s, _LOCK_CART_WITH_PRODUCT, owner_id, {"pid": product_id})
            if found is not None:  # else the cart is made first (locks.cart)
                cart, product = found
                return cart, None if product[0] is None else product
        cart = locks.cart(s, owner_id)
        return cart, sql.planned_row(s, _PRODUCT, {"pid": product_id})

    def _set(
        self,
        s: Tx,
        owner_id: int,
        cart: LockedCart,
        product: Any | None,
        product_id: int,
        quantity: int,
        replace: bool,
    ) -> Cart:
        """`product`: the product's row (PRODUCT), None when there is no such product."""
        if product is None or not product[2]:
            raise NotFound(f"no product #{product_id}")
        seller_id, name, _active, stock, seller_name = product
        if quantity == 0:
            if cart.seller_id is not None:
                at = {"cart": cart.id, "pid": product_id, "sid": cart.seller_id}
                sql.run(s, DELETE_LINE, at)
            view = cart_view(s, owner_id, cart.id, cart.seller_id, None)
            if view.is_empty and cart.seller_id is not None:
                sql.run_planned(s, _SET_SELLER, {"cart": cart.id, "owner": cart.owner, "sid": None})
            return view
        if quantity > stock:
            raise OutOfStock(
                f"only {stock} of {name} left" if stock else f"{name} is out of stock",
                lines=[
                    {
                        "product_id": product_id,
                        "name": name,
                        "requested": quantity,
                        "available": stock,
                    }
                ],
            )
        if cart.seller_id is not None and cart.seller_id != seller_id:
            # Another seller's cart: emptied when asked to replace it (emptying an empty
            # cart is harmless, so that needs no look), refused when it holds lines.
            if not replace and locks.cart_has_items(s, cart):
                current = sql.value(s, SELLER_NAME, {"sid": cart.seller_id})
                raise SellerConflict(
                    f"your cart has items from {current}; {name} is sold by {seller_name}. Replace the cart?",
                    cart_seller_id=cart.seller_id,
                    cart_seller=current,
                    product_seller_id=seller_id,
                    product_seller=seller_name,
                )
            empty_cart(s, cart, seller_id=seller_id)
        elif cart.seller_id != seller_id:  # an empty cart goes to the new line's seller
            at = {"cart": cart.id, "owner": cart.owner, "sid": seller_id}
            sql.run_planned(s, _SET_SELLER, at)
        lines = cart_lines(
            sql.planned_rows(
                s,
                _UPSERT_LINE,
                {"cart": cart.id, "pid": product_id, "sid": seller_id, "qty": quantity},
            )
        )
        total = sum((line.line_total for line in lines), Decimal("0.00"))
        return Cart(
            customer_id=owner_id,
            seller_id=seller_id,
            seller_name=seller_name,
            lines=lines,
            total=total,
        )
