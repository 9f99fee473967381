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

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.services import _sql as sql
from workshop_tui.services._sql import Tx
from workshop_tui.services.ledger_codec import GENESIS_HASH

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
    owner: int


# The cart row is the customer's (on a database sharded by seller it lives with the
# customer's rows); its lines live with their seller's, so every line statement names it.
LOCK_CART = "SELECT id, seller_id FROM carts WHERE customer_id = %(owner)s FOR UPDATE"
CREATE_CART = (
    "INSERT INTO carts (customer_id) VALUES (%(owner)s) ON CONFLICT (customer_id) DO NOTHING"
)
HAS_ITEMS = (
    "SELECT EXISTS (SELECT 1 FROM cart_items WHERE seller_id = %(sid)s AND cart_id = %(cart)s)"
)


_LOCK_CART = sql.Planned("lock_cart", LOCK_CART, {"owner": "integer"})
_HAS_ITEMS = sql.Planned("cart_has_items", HAS_ITEMS, {"sid": "integer", "cart": "integer"})


def cart(tx: Tx, owner_id: int) -> LockedCart:
    """The owner's cart row, created when missing, locked FOR UPDATE."""
    found = sql.planned_row(tx, _LOCK_CART, {"owner": owner_id})  # usually one round trip
    if found is None:
        sql.run(tx, CREATE_CART, {"owner": owner_id})
        found = sql.one(tx, LOCK_CART, {"owner": owner_id})
    cart_id, seller_id = found
    return LockedCart(cart_id, seller_id, owner_id)


def cart_with_row_statement(
    name: str, row_sql: str, columns: tuple[str, ...], types: dict[str, str]
) -> sql.Planned:
    """The cart's lock with one row of `row_sql` (its `columns`, NULL when it has none)
    read in the same statement: one round trip on one server. Not on a database sharded
    by seller (the cart row and most rows live on different shards)."""
    picked = ", ".join(f"x.{c}" for c in columns)
    text = f"""
    SELECT c.id, c.seller_id, {picked}
      FROM carts c LEFT JOIN ({row_sql}) x ON true
     WHERE c.customer_id = %(owner)s
       FOR UPDATE OF c
    """
    return sql.Planned(name, text, {"owner": "integer", **types})


def cart_with_row(
    tx: Tx, statement: sql.Planned, owner_id: int, params: dict[str, Any]
) -> tuple[LockedCart, tuple[Any, ...]] | None:
    """The owner's cart locked, with the row `statement` brings (cart_with_row_statement);
    None when the owner has no cart yet (`cart` makes it)."""
    found = sql.planned_row(tx, statement, {"owner": owner_id, **params})
    if found is None:
        return None
    return LockedCart(found[0], found[1], owner_id), tuple(found[2:])


def cart_has_items(tx: Tx, cart: LockedCart) -> bool:
    """Whether the locked cart holds lines (its lines cannot change while it is locked).

    Asked only when it decides something (a line from another seller): a cart keeps its
    seller after checkout, with no lines left."""
    return cart.seller_id is not None and bool(
        sql.planned_value(tx, _HAS_ITEMS, {"sid": cart.seller_id, "cart": cart.id})
    )


# --- 3. the order ----------------------------------------------------------------

# The order row locked, and any payment already made with this key (keys are the order's
# customer's own). That payment is read from the statement's snapshot, so a payment
# committed while this one waited for the row can hide: `pay` looks again wherever that matters.
# `begun` is the transaction's time, which the payment is stamped with. On one server the
# new payment's id comes with the lock (a round trip fewer while the order is held); on a
# database sharded by seller the statement runs on a shard, away from the sequence.
LOCK_ORDER_FOR_PAYMENT = """
    SELECT o.id, o.customer_id, o.seller_id, o.status, o.subtotal, o.discount_total, o.total,
           o.expires_at, p.id AS earlier_id, p.order_id AS earlier_order, now() AS begun,
           {payment_id} AS payment_id
      FROM orders o
      LEFT JOIN payments p ON p.seller_id = o.seller_id AND p.customer_id = o.customer_id
                          AND p.idempotency_key = %(key)s
     WHERE o.seller_id = %(seller)s AND o.id = %(id)s
       FOR UPDATE OF o
"""


def order(s: Session, seller_id: int, order_id: int) -> m.Order | None:
    return s.scalars(
        select(m.Order)
        .where(m.Order.seller_id == seller_id, m.Order.id == order_id)
        .with_for_update()
    ).one_or_none()


def order_unless_taken(s: Session, seller_id: int, order_id: int) -> m.Order | None:
    """The order locked, or None when another terminal holds it (the expiry sweep moves on)."""
    return s.scalars(
        select(m.Order)
        .where(m.Order.seller_id == seller_id, m.Order.id == order_id)
        .with_for_update(skip_locked=True)
    ).one_or_none()


_ORDER_FOR_PAYMENT_TYPES = {"seller": "integer", "id": "integer", "key": "text"}
ORDER_FOR_PAYMENT = {
    sharded: sql.Planned(
        "lock_order_for_payment",
        LOCK_ORDER_FOR_PAYMENT.format(
            payment_id="CAST(NULL AS bigint)"
            if sharded
            else "nextval(pg_get_serial_sequence('payments', 'id'))"
        ),
        _ORDER_FOR_PAYMENT_TYPES,
    )
    for sharded in (False, True)
}


def order_for_payment(
    tx: Tx, seller_id: int, order_id: int, key: str, *, sharded: bool
) -> Any | None:
    """The order locked, with `payment_id` (a new payment's id; None when `sharded`)."""
    return sql.planned_row(
        tx, ORDER_FOR_PAYMENT[sharded], {"seller": seller_id, "id": order_id, "key": key}
    )


# --- 4. inventory ----------------------------------------------------------------

LOCK_INVENTORY = (
    "SELECT product_id, stock_remaining FROM inventory"
    " WHERE product_id = ANY(CAST(%(ids)s AS integer[])) {seller} ORDER BY product_id FOR UPDATE"
)
# The cart's lines with their inventory rows locked, in product-id order, in one statement,
# all on the cart's seller's rows (one shard when sharded). The lines are locked too: they
# are what a concurrent checkout of the same cart waits on, and finds gone after.
# `existing` is the order this key already made with this seller, if any; `begun` is the
# transaction's time (the new order's).
CHECKOUT_LINES = """
    SELECT i.product_id, i.quantity, p.price, p.name, p.seller_id, p.sku, s.name AS seller_name,
           inv.stock_remaining,
           (SELECT o.id FROM orders o
             WHERE o.seller_id = %(seller)s AND o.customer_id = %(customer)s
               AND o.idempotency_key = %(key)s) AS existing,
           now() AS begun
      FROM cart_items i
      JOIN products p ON p.seller_id = i.seller_id AND p.id = i.product_id
      JOIN sellers s ON s.id = p.seller_id
      JOIN inventory inv ON inv.seller_id = i.seller_id AND inv.product_id = i.product_id
     WHERE i.seller_id = %(seller)s AND i.cart_id = %(cart)s
     ORDER BY i.product_id
       FOR UPDATE OF i, inv
"""


def inventory(tx: Tx, product_ids: Iterable[int], seller_id: int | None = None) -> dict[int, int]:
    """Lock the inventory rows in product-id order (one statement); return their stock.

    `seller_id` (an order's) keeps the statement on that seller's shard when sharded."""
    ids = sorted(set(product_ids))
    query = LOCK_INVENTORY.format(seller="" if seller_id is None else "AND seller_id = %(seller)s")
    return {pid: stock for pid, stock in sql.rows(tx, query, {"ids": ids, "seller": seller_id})}


_CHECKOUT_LINES = sql.Planned(
    "lock_checkout_lines",
    CHECKOUT_LINES,
    {"seller": "integer", "cart": "integer", "customer": "integer", "key": "text"},
)


def checkout_lines(tx: Tx, seller_id: int, cart_id: int, customer_id: int, key: str) -> list[Any]:
    """The cart's lines with their products, sellers and stock, lines and inventory locked;
    each line also carries `existing`, the order `key` already made with this seller."""
    return sql.planned_rows(
        tx,
        _CHECKOUT_LINES,
        {"seller": seller_id, "cart": cart_id, "customer": customer_id, "key": key},
    )


# --- 5. the ledger chain head ----------------------------------------------------

LOCK_HEAD = (
    "SELECT seq, hash FROM ledger_heads"
    " WHERE seller_id = %(seller)s AND chain = %(chain)s FOR UPDATE"
)
CREATE_HEAD = (
    "INSERT INTO ledger_heads (chain, seller_id, seq, hash)"
    " VALUES (%(chain)s, %(seller)s, 0, %(genesis)s)"
    " ON CONFLICT DO NOTHING"
)


_HEAD = sql.Planned("lock_ledger_head", LOCK_HEAD, {"seller": "integer", "chain": "text"})


def ledger_head(
    tx: Tx,
    seller_id: int,
    chain: str,
    *,
    before: Sequence[tuple[sql.Planned, dict[str, Any]]] = (),
) -> tuple[int, str]:
    """The seller's chain head (seq, hash), locked; created at genesis for its first entry.

    `before`: statements sent first in the same message (their results are not read)."""
    at = {"seller": seller_id, "chain": chain}
    head = sql.run_planned_together(tx, *before, (_HEAD, at)).fetchone()
    if head is None:
        sql.run(tx, CREATE_HEAD, {**at, "genesis": GENESIS_HASH})
        head = sql.one(tx, LOCK_HEAD, at)
    return int(head[0]), str(head[1])


# --- a receipt reprint -----------------------------------------------------------


def payment(s: Session, payment_id: int) -> None:
    """Lock a payment row: two terminals reprinting at once get gap-free copy numbers."""
    s.execute(select(m.Payment.id).where(m.Payment.id == payment_id).with_for_update())
