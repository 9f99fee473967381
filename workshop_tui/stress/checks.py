"""The five invariants of DESIGN.md, checked exactly with SQL after concurrent work.

1. stock_remaining >= 0;
2. per product: initial + restocked = stock_remaining + units held by live orders
   (`states.LIVE`, minus returned units);
3. order total = sum(quantity * unit_price) - discount_total, one seller per order;
4. a key used twice creates one order and one charge;
5. the ledger verifies end to end;
plus the reconciler (stock_remaining against the stock movements) finds no drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, text

from workshop_tui.db.engine import Database
from workshop_tui.services import Services
from workshop_tui.services.states import LIVE, sql_list

SUPPLY_AND_HELD = f"""
WITH supply AS (
    SELECT i.seller_id, i.product_id, i.stock_remaining,
           i.initial_stock + COALESCE(
               (SELECT SUM(sm.delta) FROM stock_movements sm
                 WHERE sm.seller_id = i.seller_id AND sm.product_id = i.product_id
                   AND sm.reason = 'restock'), 0) AS supplied
      FROM inventory i
), held AS (
    SELECT oi.seller_id, oi.product_id, SUM(oi.quantity - oi.returned_qty) AS held
      FROM order_items oi JOIN orders o ON o.seller_id = oi.seller_id AND o.id = oi.order_id
     WHERE o.status IN {sql_list(LIVE)}
     GROUP BY oi.seller_id, oi.product_id
)
SELECT s.product_id, s.supplied, s.stock_remaining, COALESCE(h.held, 0) AS held
  FROM supply s LEFT JOIN held h ON h.seller_id = s.seller_id AND h.product_id = s.product_id
"""

NEGATIVE_STOCK = "SELECT product_id, stock_remaining FROM inventory WHERE stock_remaining < 0"
NOT_CONSERVED = f"SELECT * FROM ({SUPPLY_AND_HELD}) x WHERE supplied <> stock_remaining + held"
OVERSOLD_UNITS = f"""
SELECT COALESCE(SUM(GREATEST(held - supplied, 0) + GREATEST(-stock_remaining, 0)), 0)
  FROM ({SUPPLY_AND_HELD}) x
"""
BAD_TOTALS = """
SELECT o.id FROM orders o
  LEFT JOIN order_items oi ON oi.seller_id = o.seller_id AND oi.order_id = o.id
 GROUP BY o.seller_id, o.id, o.total, o.subtotal, o.discount_total
HAVING count(oi.id) = 0
    OR o.total <> SUM(oi.quantity * oi.unit_price) - o.discount_total
    OR o.subtotal <> SUM(oi.quantity * oi.unit_price)
"""
# A line whose product is not one of its order's seller's (joined within the seller's rows,
# so a sharded database answers it shard by shard).
MIXED_SELLERS = """
SELECT DISTINCT o.id FROM orders o
  JOIN order_items oi ON oi.seller_id = o.seller_id AND oi.order_id = o.id
  LEFT JOIN products p ON p.seller_id = o.seller_id AND p.id = oi.product_id
 WHERE p.id IS NULL
"""
DUPLICATE_ORDER_KEYS = """
SELECT customer_id, idempotency_key FROM orders WHERE idempotency_key IS NOT NULL
 GROUP BY customer_id, idempotency_key HAVING count(*) > 1
"""
DUPLICATE_PAYMENT_KEYS = """
SELECT idempotency_key FROM payments WHERE idempotency_key IS NOT NULL
 GROUP BY idempotency_key HAVING count(*) > 1
"""
DOUBLE_CHARGED = """
SELECT order_id FROM payments WHERE kind = 'charge' AND status = 'succeeded'
 GROUP BY order_id HAVING count(*) > 1
"""
OVER_REFUNDED = """
SELECT order_id FROM payments WHERE status = 'succeeded'
 GROUP BY order_id
HAVING SUM(amount) FILTER (WHERE kind = 'refund') > COALESCE(SUM(amount) FILTER (WHERE kind = 'charge'), 0)
"""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class InvariantReport:
    checks: tuple[Check, ...]
    oversold_units: int
    double_charges: int

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _sample(rows: list[Row[Any]], limit: int = 5) -> str:
    shown = ", ".join(str(tuple(r)) if len(r) > 1 else str(r[0]) for r in rows[:limit])
    return f"{len(rows)} bad: {shown}" + (" ..." if len(rows) > limit else "")


def check_invariants(
    db: Database, *, double_orders_seen: int = 0, double_charges_seen: int = 0
) -> InvariantReport:
    """Every invariant, exactly. `*_seen` are what clients observed (a retried key answered
    with another order or payment) and count against invariant 4."""
    with db.engine.connect() as conn:

        def rows(sql: str) -> list[Row[Any]]:
            return list(conn.execute(text(sql)).all())

        negative = rows(NEGATIVE_STOCK)
        unconserved = rows(NOT_CONSERVED)
        oversold = int(conn.execute(text(OVERSOLD_UNITS)).scalar_one())
        bad_totals = rows(BAD_TOTALS)
        mixed = rows(MIXED_SELLERS)
        dup_orders = rows(DUPLICATE_ORDER_KEYS)
        dup_payments = rows(DUPLICATE_PAYMENT_KEYS)
        doubled = rows(DOUBLE_CHARGED)
        over_refunded = rows(OVER_REFUNDED)
        conn.rollback()
    key_problems = []
    if dup_orders:
        key_problems.append("orders per key " + _sample(dup_orders))
    if dup_payments:
        key_problems.append("payments per key " + _sample(dup_payments))
    if doubled:
        key_problems.append("orders charged twice " + _sample(doubled))
    if double_orders_seen:
        key_problems.append(f"{double_orders_seen} retried checkouts got another order")
    if double_charges_seen:
        key_problems.append(f"{double_charges_seen} retried payments got another payment")
    services = Services(db)
    ledger = services.ledger.verify()
    drift = services.stock.reconcile()
    checks = (
        Check("1 no negative stock", not negative, _sample(negative) if negative else ""),
        Check(
            "2 stock conserved per product",
            not unconserved,
            _sample(unconserved) + " (product, supplied, stock, held)" if unconserved else "",
        ),
        Check(
            "3 totals and one seller per order",
            not bad_totals and not mixed,
            "; ".join(
                x
                for x in (
                    "totals " + _sample(bad_totals) if bad_totals else "",
                    "sellers " + _sample(mixed) if mixed else "",
                )
                if x
            ),
        ),
        Check("4 one order and one charge per key", not key_problems, "; ".join(key_problems)),
        Check("5 ledger verifies", ledger.ok, "" if ledger.ok else ledger.summary),
        Check(
            "refunds never exceed the charge",
            not over_refunded,
            _sample(over_refunded) if over_refunded else "",
        ),
        Check(
            "reconcile: no drift",
            not drift.drifts,
            f"{len(drift.drifts)} products drift" if drift.drifts else "",
        ),
    )
    return InvariantReport(
        checks=checks,
        oversold_units=oversold,
        double_charges=len(doubled) + double_charges_seen,
    )
