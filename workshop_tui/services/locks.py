"""Every row lock the engine takes, and the one order in which they are taken.

The global lock order. A transaction takes a prefix of this list, in this order,
and never reaches back to an earlier entry, so no two transactions wait on each
other in a circle:

  1. the terminal's open cash session: FOR SHARE by a sale or a refund (so the drawer
     cannot close under it), FOR UPDATE by closing the drawer or moving cash;
  2. the actor's cart;
  3. the order;
  4. inventory rows, all of them in one statement, ORDER BY product_id;
  5. the seller's ledger chain head (last: the most contended row, held shortest).

A receipt reprint locks one payment row and nothing else.

These functions are the only statements in services/ that take row locks. Some lock
and read in the same round trip (the checkout's cart with the order its key made, its
lines with their inventory rows): every sale runs them, and a round trip is what a
terminal waits for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.services import _sql as sql
from workshop_tui.services._sql import Tx
from workshop_tui.services.ledger_codec import GENESIS_HASH
from workshop_tui.services.states import OrderStatus

# --- 1. the cash session ---------------------------------------------------------

OPEN_SESSION_FOR_SALE = (
    "SELECT id FROM cash_sessions WHERE terminal_id = %(terminal)s AND closed_at IS NULL FOR SHARE"
)


def cash_session_for_sale(tx: Tx, terminal_id: str) -> int | None:
    """The terminal's open session, share-locked so it cannot close under this sale."""
    found = sql.value(tx, OPEN_SESSION_FOR_SALE, {"terminal": terminal_id})
    return None if found is None else int(found)


def cash_session_to_change(s: Session, terminal_id: str) -> m.CashSession | None:
    """The terminal's open session, locked to close it or move cash: no sale slips in."""
    return s.scalars(
        select(m.CashSession)
        .where(m.CashSession.terminal_id == terminal_id, m.CashSession.closed_at.is_(None))
        .with_for_update()
    ).one_or_none()


# --- 2. the cart -----------------------------------------------------------------


class LockedCart(NamedTuple):
    id: int
    seller_id: int | None
    has_items: bool


_HAS_ITEMS = "EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id) AS has_items"
LOCK_CART = f"SELECT c.id, c.seller_id, {_HAS_ITEMS} FROM carts c WHERE c.customer_id = %(owner)s FOR UPDATE OF c"
CREATE_CART = (
    "INSERT INTO carts (customer_id) VALUES (%(owner)s) ON CONFLICT (customer_id) DO NOTHING"
)
# The cart locked and the product looked up in one round trip (the product needs no lock:
# its stock is checked again, under lock, at checkout).
LOCK_CART_WITH_PRODUCT = f"""
    SELECT c.id, c.seller_id, {_HAS_ITEMS},
           p.seller_id AS p_seller_id, p.name AS p_name, p.is_active AS p_active,
           inv.stock_remaining AS p_stock, s.name AS p_seller_name
      FROM carts c
      LEFT JOIN products p ON p.id = %(pid)s
      LEFT JOIN inventory inv ON inv.product_id = p.id
      LEFT JOIN sellers s ON s.id = p.seller_id
     WHERE c.customer_id = %(owner)s
       FOR UPDATE OF c
"""
# The cart locked, and the order this key made if any. The order is read from the
# statement's snapshot: checkout looks again where a wait could have hidden it.
LOCK_CART_FOR_CHECKOUT = """
    SELECT c.id, c.seller_id,
           (SELECT o.id FROM orders o
             WHERE o.customer_id = %(customer)s AND o.idempotency_key = %(key)s) AS existing
      FROM carts c WHERE c.customer_id = %(owner)s FOR UPDATE OF c
"""


def cart(tx: Tx, owner_id: int) -> LockedCart:
    """The owner's cart row, created when missing, locked FOR UPDATE."""
    found = sql.row(tx, LOCK_CART, {"owner": owner_id})  # the usual case: one round trip
    if found is None:
        sql.run(tx, CREATE_CART, {"owner": owner_id})
        found = sql.one(tx, LOCK_CART, {"owner": owner_id})
    return LockedCart(*found)


_CART_WITH_PRODUCT = sql.Planned(
    "lock_cart_with_product", LOCK_CART_WITH_PRODUCT, {"owner": "integer", "pid": "integer"}
)
_CART_FOR_CHECKOUT = sql.Planned(
    "lock_cart_for_checkout",
    LOCK_CART_FOR_CHECKOUT,
    {"owner": "integer", "customer": "integer", "key": "text"},
)


def cart_with_product(tx: Tx, owner_id: int, product_id: int) -> Any | None:
    """The cart locked with the product's seller, name, state and stock; None: no cart yet."""
    return sql.planned_row(tx, _CART_WITH_PRODUCT, {"owner": owner_id, "pid": product_id})


def cart_for_checkout(tx: Tx, owner_id: int, customer_id: int, key: str) -> Any | None:
    """The cart locked (id, seller_id) with `existing`, the order `key` made; None: no cart."""
    return sql.planned_row(
        tx, _CART_FOR_CHECKOUT, {"owner": owner_id, "customer": customer_id, "key": key}
    )


# --- 3. the order ----------------------------------------------------------------

# The order row locked, and any payment already made with this key (keys are the order's
# customer's own). That payment is read from the statement's snapshot, so a payment
# committed while this one waited for the row can hide: `pay` looks again wherever that matters.
LOCK_ORDER_FOR_PAYMENT = """
    SELECT o.id, o.customer_id, o.seller_id, o.status, o.subtotal, o.discount_total, o.total,
           o.expires_at, p.id AS earlier_id, p.order_id AS earlier_order
      FROM orders o
      LEFT JOIN payments p ON p.customer_id = o.customer_id AND p.idempotency_key = %(key)s
     WHERE o.id = %(id)s
       FOR UPDATE OF o
"""


def order(s: Session, order_id: int) -> m.Order | None:
    return s.scalars(select(m.Order).where(m.Order.id == order_id).with_for_update()).one_or_none()


def order_unless_taken(s: Session, order_id: int) -> m.Order | None:
    """The order locked, or None when another terminal holds it (the expiry sweep moves on)."""
    return s.scalars(
        select(m.Order).where(m.Order.id == order_id).with_for_update(skip_locked=True)
    ).one_or_none()


_ORDER_FOR_PAYMENT = sql.Planned(
    "lock_order_for_payment", LOCK_ORDER_FOR_PAYMENT, {"id": "integer", "key": "text"}
)


def order_for_payment(tx: Tx, order_id: int, key: str) -> Any | None:
    return sql.planned_row(tx, _ORDER_FOR_PAYMENT, {"id": order_id, "key": key})


# --- 4. inventory ----------------------------------------------------------------

LOCK_INVENTORY = (
    "SELECT product_id, stock_remaining FROM inventory"
    " WHERE product_id = ANY(CAST(%(ids)s AS integer[])) {seller} ORDER BY product_id FOR UPDATE"
)
# The cart's lines with their inventory rows locked, in product-id order, in one statement.
# (The cart rows need no lock of their own: only the cart's holder, who has its lock, writes them.)
# `unpaid` counts the unpaid orders the customer placed themselves and can still pay. Only
# a checkout of the customer's own cart adds one, and this statement starts after that
# cart's lock is held, so its snapshot holds every such order (a count in the cart lock's
# own statement could miss one committed while it waited).
CHECKOUT_LINES = f"""
    SELECT i.product_id, i.quantity, p.price, p.name, p.seller_id, p.sku, s.name AS seller_name,
           inv.stock_remaining,
           (SELECT count(*) FROM orders o
             WHERE o.customer_id = %(customer)s AND o.placed_by IS NULL
               AND o.status = '{OrderStatus.PENDING_PAYMENT.value}'
               AND (o.expires_at IS NULL OR o.expires_at > now())) AS unpaid
      FROM cart_items i
      JOIN products p ON p.id = i.product_id
      JOIN sellers s ON s.id = p.seller_id
      JOIN inventory inv ON inv.product_id = i.product_id
     WHERE i.cart_id = %(cart)s
     ORDER BY i.product_id
       FOR UPDATE OF inv
"""


def inventory(tx: Tx, product_ids: Iterable[int], seller_id: int | None = None) -> dict[int, int]:
    """Lock the inventory rows in product-id order (one statement); return their stock.

    `seller_id` (an order's) keeps the statement on that seller's shard when sharded."""
    ids = sorted(set(product_ids))
    query = LOCK_INVENTORY.format(seller="" if seller_id is None else "AND seller_id = %(seller)s")
    return {pid: stock for pid, stock in sql.rows(tx, query, {"ids": ids, "seller": seller_id})}


_CHECKOUT_LINES = sql.Planned(
    "lock_checkout_lines", CHECKOUT_LINES, {"cart": "integer", "customer": "integer"}
)


def checkout_lines(tx: Tx, cart_id: int, customer_id: int) -> list[Any]:
    """The cart's lines with their products, sellers and stock, the inventory rows locked;
    each line also carries `unpaid`, the customer's own unpaid orders."""
    return sql.planned_rows(tx, _CHECKOUT_LINES, {"cart": cart_id, "customer": customer_id})


# --- 5. the ledger chain head ----------------------------------------------------

LOCK_HEAD = (
    "SELECT seq, hash FROM ledger_heads"
    " WHERE seller_id = %(seller)s AND chain = %(chain)s FOR UPDATE"
)
CREATE_HEAD = (
    "INSERT INTO ledger_heads (chain, seller_id, seq, hash)"
    " VALUES (%(chain)s, %(seller)s, 0, %(genesis)s)"
    " ON CONFLICT (chain) DO NOTHING"
)


_HEAD = sql.Planned("lock_ledger_head", LOCK_HEAD, {"seller": "integer", "chain": "text"})


def ledger_head(tx: Tx, seller_id: int, chain: str) -> tuple[int, str]:
    """The seller's chain head (seq, hash), locked; created at genesis for its first entry."""
    at = {"seller": seller_id, "chain": chain}
    head = sql.planned_row(tx, _HEAD, at)
    if head is None:
        sql.run(tx, CREATE_HEAD, {**at, "genesis": GENESIS_HASH})
        head = sql.one(tx, LOCK_HEAD, at)
    return int(head[0]), str(head[1])


# --- a receipt reprint -----------------------------------------------------------


def payment(s: Session, payment_id: int) -> None:
    """Lock a payment row: two terminals reprinting at once get gap-free copy numbers."""
    s.execute(select(m.Payment.id).where(m.Payment.id == payment_id).with_for_update())
