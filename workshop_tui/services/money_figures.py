"""The shop's money figures, defined once, from the ledger's charge and refund rows.

gross    the charges whose ledger time is in the window (only a succeeded charge
         has a `charge` row; declines are `decline` rows)
refunds  the refunds whose ledger time is in the window, cancellations and returns
         alike, split by the `for` of their payload
net      gross - refunds
orders   the orders with a charge in the window
discounts the discounts on those charges (`discount_paise` of the charge's payload),
         already off gross: shown on their own line, never subtracted again

A refund counts in the window it was made in, whatever the order's state or when it
was paid: so a sale paid today and cancelled tomorrow is today's revenue and
tomorrow's refund, and every rupee the ledger moved is in exactly one window.

Every breakdown adds up to the totals. A charge or refund goes to its order's seller,
its own method and the UTC hour of its own ledger time. By category it is split
over the order's lines in proportion to their value (quantity x unit price), in
whole paise by the largest remainder (ties to the lower category id), so the
categories' shares add up to the row's amount exactly.

The Sales screen, `workshop report sales` and the web read these figures through
`ReportService`; `services.books` recomputes them from the raw rows to check them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the transaction services._tx hands to its work (the ORM and plain SQL)
    from workshop_tui.db.engine import TxSession

from workshop_tui.services import _sql as sql
from workshop_tui.services.types import SalesReport, SalesRow

CENT = Decimal("0.01")
CHARGE, REFUND = "charge", "refund"
CANCELLATION, RETURN = "cancellation", "return"
SECTIONS = ("seller", "category", "method", "hour")

# The window's money rows with what every breakdown needs. `refund_for` is NULL for a charge.
MONEY_ROWS = """
    SELECT t.id, t.kind, t.order_id, t.method, o.seller_id,
           CAST(round(t.amount * 100) AS bigint) AS paise,
           CASE WHEN t.kind = 'refund' THEN t.payload->>'for' END AS refund_for,
           COALESCE(CAST(t.payload->>'discount_paise' AS bigint), 0) AS discount_paise,
           to_char(t.created_at AT TIME ZONE 'UTC', 'HH24') AS hour,
           (SELECT sum(i.quantity) FROM order_items i
             WHERE i.seller_id = t.seller_id AND i.order_id = t.order_id) AS units
      FROM transactions t JOIN orders o ON o.seller_id = t.seller_id AND o.id = t.order_id
     WHERE t.kind IN ('charge', 'refund')
       AND t.created_at >= %(start)s AND t.created_at < %(end)s
"""

TOTALS_AND_KEYS = f"""
    WITH money AS ({MONEY_ROWS})
    SELECT CASE WHEN GROUPING(m.seller_id) = 0 THEN 'seller'
                WHEN GROUPING(m.method) = 0 THEN 'method'
                WHEN GROUPING(m.hour) = 0 THEN 'hour' ELSE 'total' END AS section,
           m.seller_id, s.name AS seller, m.method, m.hour,
           count(DISTINCT m.order_id) FILTER (WHERE m.kind = 'charge') AS orders,
           COALESCE(sum(m.units) FILTER (WHERE m.kind = 'charge'), 0) AS units,
           COALESCE(sum(m.paise) FILTER (WHERE m.kind = 'charge'), 0) AS gross,
           COALESCE(sum(m.paise) FILTER (WHERE m.kind = 'refund'), 0) AS refunds,
           COALESCE(sum(m.paise) FILTER (WHERE m.refund_for = 'cancellation'), 0) AS cancellations,
           COALESCE(sum(m.paise) FILTER (WHERE m.refund_for = 'return'), 0) AS returns,
           COALESCE(sum(m.discount_paise) FILTER (WHERE m.kind = 'charge'), 0) AS discounts
      FROM money m
      JOIN sellers s ON s.id = m.seller_id
     GROUP BY GROUPING SETS ((), (m.seller_id, s.name), (m.method), (m.hour))
"""

# Each money row split over its order's categories: floor shares, then the paise left
# over go one each to the largest remainders. Integer (numeric) arithmetic throughout.
BY_CATEGORY = f"""
    WITH money AS ({MONEY_ROWS}),
    parts AS (
        SELECT m.id, m.kind, m.order_id, m.paise, p.category_id,
               sum(i.quantity) AS units,
               sum(CAST(i.quantity * i.unit_price * 100 AS numeric)) AS weight
          FROM money m
          JOIN order_items i ON i.order_id = m.order_id
          JOIN products p ON p.id = i.product_id
         GROUP BY m.id, m.kind, m.order_id, m.paise, p.category_id
    ),
    weighed AS (
        -- An order whose lines are all free has no value to share by: equal weights.
        SELECT *, CASE WHEN sum(weight) OVER w = 0 THEN 1 ELSE weight END AS w,
                  CASE WHEN sum(weight) OVER w = 0 THEN count(*) OVER w ELSE sum(weight) OVER w END AS whole
          FROM parts WINDOW w AS (PARTITION BY id)
    ),
    floored AS (
        SELECT *, div(paise * w, whole) AS base, mod(paise * w, whole) AS rest FROM weighed
    ),
    ranked AS (
        SELECT *, paise - sum(base) OVER (PARTITION BY id) AS leftover,
                  row_number() OVER (PARTITION BY id ORDER BY rest DESC, category_id) AS place
          FROM floored
    ),
    shared AS (
        SELECT *, base + CASE WHEN place <= leftover THEN 1 ELSE 0 END AS share FROM ranked
    )
    SELECT c.id, c.name,
           count(DISTINCT x.order_id) FILTER (WHERE x.kind = 'charge') AS orders,
           COALESCE(sum(x.units) FILTER (WHERE x.kind = 'charge'), 0) AS units,
           COALESCE(sum(x.share) FILTER (WHERE x.kind = 'charge'), 0) AS gross,
           COALESCE(sum(x.share) FILTER (WHERE x.kind = 'refund'), 0) AS refunds
      FROM shared x JOIN categories c ON c.id = x.category_id
     GROUP BY c.id, c.name
"""


def rupees(paise: Any) -> Decimal:
    return (Decimal(int(paise)) / 100).quantize(CENT)


def sales_row(label: str, orders: int, units: int, gross: int, refunds: int) -> SalesRow:
    return SalesRow(label, int(orders), int(units), rupees(gross), rupees(refunds))


def sales_figures(s: TxSession, start: datetime, end: datetime) -> SalesReport:
    """The figures of [start, end), read in the caller's transaction."""
    window = {"start": start, "end": end}
    # A long window's cost estimate turns JIT on, which compiled for longer than these
    # queries run (all of a 50,000-order seed: 1.8 s with JIT, 0.9 s without).
    sql.run(s, "SET LOCAL jit = off")
    sections: dict[str, list[tuple[tuple[str, int], SalesRow]]] = {
        "seller": [],
        "method": [],
        "hour": [],
    }
    total = None
    for r in sql.rows(s, TOTALS_AND_KEYS, window):
        if r.section == "total":
            total = r
            continue
        label = {"seller": r.seller, "method": r.method, "hour": r.hour}[r.section]
        key = (label, r.seller_id or 0)
        sections[r.section].append((key, sales_row(label, r.orders, r.units, r.gross, r.refunds)))
    by_category = sorted(
        ((r.name, r.id), sales_row(r.name, r.orders, r.units, r.gross, r.refunds))
        for r in sql.rows(s, BY_CATEGORY, window)
    )

    def ordered(rows: list[tuple[tuple[str, int], SalesRow]]) -> tuple[SalesRow, ...]:
        return tuple(row for _, row in sorted(rows, key=lambda pair: pair[0]))

    return SalesReport(
        start=start,
        end=end,
        orders=int(total.orders) if total else 0,
        revenue=rupees(total.gross if total else 0),
        refunds=rupees(total.refunds if total else 0),
        by_seller=ordered(sections["seller"]),
        by_hour=ordered(sections["hour"]),
        by_method=ordered(sections["method"]),
        by_category=tuple(row for _, row in by_category),
        refunds_cancellations=rupees(total.cancellations if total else 0),
        refunds_returns=rupees(total.returns if total else 0),
        discounts=rupees(total.discounts if total else 0),
        units=int(total.units) if total else 0,
    )
