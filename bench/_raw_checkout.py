"""Checkout-and-pay as bare psycopg2: the same rows the services write, nothing else.

Short transactions, as in the shop (lines go into the stored cart one by one; the
order waits in pending_payment while the customer pays):
0. per line: upsert the cart row (with its seller) and the cart item;
1. lock the cart row, read its items, lock the inventory rows FOR UPDATE in
   product-id order (one statement, with the prices), insert the order and its
   items, take the stock, append the movements, empty the cart;
2. lock the order, insert the charge, mark the order paid, lock the seller's ledger
   head and append the attempt + charge rows hashed exactly as the engine does.
No validation, no ORM, no reloading the order, no NOTIFY, no expiry sweep: a lower bound.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from _pg import connect
from psycopg2.extras import execute_values

from workshop_tui.services.ledger_codec import (
    GENESIS_HASH,
    canonical_content,
    chain_for_seller,
    entry_hash,
)

UPSERT_CART = """
INSERT INTO carts (customer_id, seller_id)
VALUES (%s, (SELECT seller_id FROM products WHERE id = %s))
ON CONFLICT (customer_id) DO UPDATE SET seller_id = EXCLUDED.seller_id
"""
UPSERT_CART_ITEM = """
INSERT INTO cart_items (cart_id, product_id, seller_id, quantity)
SELECT c.id, p.id, p.seller_id, %s FROM products p, carts c WHERE p.id = %s AND c.customer_id = %s
ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity
"""
LOCK = """
SELECT i.product_id, i.stock_remaining, p.price, p.seller_id
  FROM inventory i JOIN products p ON p.id = i.product_id
 WHERE i.product_id = ANY(%s)
 ORDER BY i.product_id
   FOR UPDATE OF i
"""
INSERT_ORDER = """
INSERT INTO orders (customer_id, seller_id, status, subtotal, discount_total, total,
                    idempotency_key, channel, expires_at)
VALUES (%s, %s, 'pending_payment', %s, 0, %s, %s, 'stress', %s) RETURNING id
"""
TAKE_STOCK = """
UPDATE inventory i SET stock_remaining = i.stock_remaining - v.q, updated_at = now()
  FROM (VALUES %s) AS v(pid, q) WHERE i.product_id = v.pid
"""
LEDGER_ROWS = """
INSERT INTO transactions (chain, seq, kind, order_id, payment_id, amount, method, payload,
                          created_at, prev_hash, hash) VALUES %s
"""


class RawPath:
    def __init__(self, url: str, customer_id: int) -> None:
        self.conn = connect(url)
        self.customer_id = customer_id

    def close(self) -> None:
        self.conn.close()

    def one(self, key: str, lines: list[tuple[int, int]]) -> int:
        for product_id, quantity in lines:
            self.add_to_cart(product_id, quantity)
        order_id, seller_id, total = self.checkout(key)
        self.pay(order_id, seller_id, total, key + "-pay")
        return order_id

    def add_to_cart(self, product_id: int, quantity: int) -> None:
        with self.conn, self.conn.cursor() as cur:
            cur.execute(UPSERT_CART, (self.customer_id, product_id))
            cur.execute(UPSERT_CART_ITEM, (quantity, product_id, self.customer_id))

    def checkout(self, key: str) -> tuple[int, int, Decimal]:
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "SELECT id FROM carts WHERE customer_id = %s FOR UPDATE", (self.customer_id,)
            )
            cart_id = cur.fetchone()[0]
            cur.execute(
                "SELECT product_id, quantity FROM cart_items WHERE cart_id = %s", (cart_id,)
            )
            wanted = dict(cur.fetchall())
            cur.execute(LOCK, (sorted(wanted),))
            rows = cur.fetchall()
            short = [pid for pid, stock, _, _ in rows if stock < wanted[pid]]
            if short or len(rows) != len(wanted):
                raise RuntimeError(f"out of stock: {short}")
            seller_id = rows[0][3]
            total = sum((price * wanted[pid] for pid, _, price, _ in rows), Decimal("0.00"))
            expires = datetime.now(UTC) + timedelta(minutes=15)
            cur.execute(INSERT_ORDER, (self.customer_id, seller_id, total, total, key, expires))
            order_id = cur.fetchone()[0]
            execute_values(
                cur,
                "INSERT INTO order_items (order_id, product_id, quantity, unit_price) VALUES %s",
                [(order_id, pid, wanted[pid], price) for pid, _, price, _ in rows],
            )
            execute_values(cur, TAKE_STOCK, [(pid, wanted[pid]) for pid, *_ in rows])
            execute_values(
                cur,
                "INSERT INTO stock_movements (product_id, delta, reason, order_id, actor_id) VALUES %s",
                [(pid, -wanted[pid], "sale", order_id, self.customer_id) for pid, *_ in rows],
            )
            cur.execute("DELETE FROM cart_items WHERE cart_id = %s", (cart_id,))
            cur.execute("UPDATE carts SET seller_id = NULL WHERE id = %s", (cart_id,))
        return order_id, seller_id, total

    def pay(self, order_id: int, seller_id: int, total: Decimal, key: str) -> None:
        with self.conn, self.conn.cursor() as cur:
            cur.execute("SELECT status FROM orders WHERE id = %s FOR UPDATE", (order_id,))
            if cur.fetchone()[0] != "pending_payment":
                raise RuntimeError(f"order {order_id} is not payable")
            cur.execute(
                "INSERT INTO payments (order_id, customer_id, kind, method, status, amount,"
                " reference, idempotency_key)"
                " VALUES (%s, %s, 'charge', 'card', 'succeeded', %s, %s, %s) RETURNING id",
                (order_id, self.customer_id, total, f"CARD-{order_id}-1", key),
            )
            payment_id = cur.fetchone()[0]
            cur.execute(
                "UPDATE orders SET status = 'paid', paid_at = now()"
                " WHERE id = %s AND status = 'pending_payment'",
                (order_id,),
            )
            chain = chain_for_seller(seller_id)
            cur.execute(
                "INSERT INTO ledger_heads (chain, seq, hash) VALUES (%s, 0, %s)"
                " ON CONFLICT (chain) DO NOTHING",
                (chain, GENESIS_HASH),
            )
            cur.execute("SELECT seq, hash FROM ledger_heads WHERE chain = %s FOR UPDATE", (chain,))
            seq, prev = cur.fetchone()
            rows = []
            for kind, payload in (("attempt", {"outcome": "succeeded"}), ("charge", {})):
                seq += 1
                now = datetime.now(UTC)
                content = canonical_content(
                    chain=chain,
                    kind=kind,
                    order_id=order_id,
                    payment_id=payment_id,
                    amount=total,
                    method="card",
                    created_at=now,
                    payload=payload,
                )
                digest = entry_hash(seq, prev, content)
                rows.append(
                    (chain, seq, kind, order_id, payment_id, total, "card")
                    + (json.dumps(payload), now, prev, digest)
                )
                prev = digest
            execute_values(cur, LEDGER_ROWS, rows)
            cur.execute(
                "UPDATE ledger_heads SET seq = %s, hash = %s WHERE chain = %s", (seq, prev, chain)
            )
