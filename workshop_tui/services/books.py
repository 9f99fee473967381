"""`workshop report verify`: the reports' money figures against the ledger's own rows.

The sales report and each closed cash session's Z-report are recomputed here, in
Python, from the raw `transactions` rows: the seller from the row's chain, the
method, kind, amount, time and refund reason (`payload.for`) from the row itself,
the session from the payment the row records. Only what the ledger cannot hold
comes from elsewhere: an order's lines (units, and the category split of its
charge), the names of sellers and categories, a session's float and cash moves.
Every succeeded payment (what receipts print) must also match its ledger row.

Nothing here shares code with money_figures' SQL: two ways to the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the transaction services._tx hands to its work (the ORM and plain SQL)
    from workshop_tui.db.engine import TxSession

from workshop_tui.db import models as m
from workshop_tui.services import _sql as sql
from workshop_tui.services.cash import compute as z_figures
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.ledger_codec import to_paise
from workshop_tui.services.money_figures import SECTIONS, sales_figures
from workshop_tui.services.types import SalesReport, SalesRow

CENT = Decimal("0.01")

LEDGER_MONEY = """
    SELECT id, chain, kind, order_id, payment_id, amount, method, payload, created_at
      FROM transactions
     WHERE kind IN ('charge', 'refund') AND created_at >= %(start)s AND created_at < %(end)s
     ORDER BY id
"""
# Every ledger row and every closed session, up to today.
LEDGER_SPAN = """
    SELECT least((SELECT min(created_at) FROM transactions),
                 (SELECT min(closed_at) FROM cash_sessions)),
           greatest((SELECT max(created_at) FROM transactions), now())
"""
ORDER_LINES = """
    SELECT i.order_id, i.quantity, i.unit_price, p.category_id
      FROM order_items i JOIN products p ON p.seller_id = i.seller_id AND p.id = i.product_id
     WHERE i.order_id = ANY(CAST(%(ids)s AS integer[]))
"""
NAMES = (
    "SELECT 'seller', id, name FROM sellers UNION ALL SELECT 'category', id, name FROM categories"
)
# Succeeded payments against the ledger rows that record them, both ways round.
PAYMENTS_VS_LEDGER = """
    SELECT p.id AS payment_id, p.kind AS p_kind, p.amount AS p_amount, p.method AS p_method,
           p.order_id AS p_order, t.id AS row_id, t.kind AS t_kind, t.amount AS t_amount,
           t.method AS t_method, t.order_id AS t_order
      FROM (SELECT * FROM payments WHERE status = 'succeeded'
               AND created_at >= %(start)s AND created_at < %(end)s) p
      FULL JOIN (SELECT * FROM transactions WHERE kind IN ('charge', 'refund')
                    AND created_at >= %(start)s AND created_at < %(end)s) t
        ON t.payment_id = p.id
"""
CLOSED_SESSIONS = """
    SELECT id, opening_float, expected_cash FROM cash_sessions
     WHERE closed_at IS NOT NULL AND closed_at >= %(start)s AND closed_at < %(end)s ORDER BY id
"""
SESSION_ROWS = """
    SELECT t.kind, t.method, t.amount, t.order_id, t.payload->>'for' FROM transactions t
      JOIN session_payments sp ON sp.payment_id = t.payment_id
     WHERE sp.session_id = %(id)s AND t.kind IN ('charge', 'refund')
"""
SESSION_MOVES = """
    SELECT direction, amount FROM cash_movements WHERE session_id = %(id)s
"""


@dataclass(frozen=True)
class BooksCheck:
    """What `report verify` found: ok when every figure agrees with the ledger."""

    start: datetime
    end: datetime
    figures: int
    sessions: int
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.problems:
            return self.problems[0]
        return (
            f"the books balance: {self.figures} figures of the sales report "
            f"{self.start:%Y-%m-%d} to {(self.end - timedelta(days=1)):%Y-%m-%d} and of "
            f"{self.sessions} closed Z-reports agree with the ledger"
        )


def allocate(paise: int, weights: dict[int, int]) -> dict[int, int]:
    """Split paise over keys in proportion to weights: floors, then the largest remainders."""
    if not weights:
        return {}
    whole = sum(weights.values())
    if whole == 0:
        weights, whole = {k: 1 for k in weights}, len(weights)
    shares = {k: paise * w // whole for k, w in weights.items()}
    left = paise - sum(shares.values())
    for k in sorted(weights, key=lambda k: (-(paise * weights[k] % whole), k))[:left]:
        shares[k] += 1
    return shares


@dataclass
class Tally:
    orders: set[int] = field(default_factory=set)
    units: int = 0
    gross: int = 0
    refunds: int = 0


def ledger_sales(s: TxSession, start: datetime, end: datetime) -> SalesReport:
    """The sales report as the ledger's rows alone make it."""
    rows = sql.rows(s, LEDGER_MONEY, {"start": start, "end": end})
    lines: dict[int, list[Any]] = defaultdict(list)
    for line in sql.rows(s, ORDER_LINES, {"ids": sorted({r.order_id for r in rows})}):
        lines[line.order_id].append(line)
    names = {(kind, key): name for kind, key, name in sql.rows(s, NAMES, {})}
    sections: dict[str, dict[tuple[str, int], Tally]] = {k: defaultdict(Tally) for k in SECTIONS}
    total = Tally()
    split: dict[str, int] = defaultdict(int)
    for r in rows:
        paise = to_paise(r.amount)
        seller = int(r.chain.removeprefix("seller-"))
        units = sum(line.quantity for line in lines[r.order_id])
        keys = {
            "seller": (names[("seller", seller)], seller),
            "method": (r.method, 0),
            "hour": (r.created_at.astimezone(UTC).strftime("%H"), 0),
        }
        weights: dict[int, int] = defaultdict(int)
        cat_units: dict[int, int] = defaultdict(int)
        for line in lines[r.order_id]:
            weights[line.category_id] += to_paise(line.unit_price * line.quantity)
            cat_units[line.category_id] += line.quantity
        shares = allocate(paise, weights)
        parts = [(total, paise, units)]
        parts += [(sections[name][key], paise, units) for name, key in keys.items()]
        parts += [
            (sections["category"][(names[("category", c)], c)], share, cat_units[c])
            for c, share in shares.items()
        ]
        for tally, amount, count in parts:
            if r.kind == "charge":
                tally.orders.add(r.order_id)
                tally.units += count
                tally.gross += amount
            else:
                tally.refunds += amount
        if r.kind == "charge":
            split["discounts"] += int((r.payload or {}).get("discount_paise", 0))
        else:
            split[(r.payload or {}).get("for", "unknown")] += paise

    def row(label: str, t: Tally) -> SalesRow:
        return SalesRow(label, len(t.orders), t.units, cents(t.gross), cents(t.refunds))

    def ordered(section: str) -> tuple[SalesRow, ...]:
        return tuple(row(k[0], t) for k, t in sorted(sections[section].items()))

    return SalesReport(
        start=start,
        end=end,
        orders=len(total.orders),
        revenue=cents(total.gross),
        refunds=cents(total.refunds),
        by_seller=ordered("seller"),
        by_hour=ordered("hour"),
        by_method=ordered("method"),
        by_category=ordered("category"),
        refunds_cancellations=cents(split["cancellation"]),
        refunds_returns=cents(split["return"]),
        discounts=cents(split["discounts"]),
        units=total.units,
    )


def cents(paise: int) -> Decimal:
    return (Decimal(paise) / 100).quantize(CENT)


TOTALS = (
    ("orders", "orders"),
    ("units", "units"),
    ("gross", "revenue"),
    ("refunds", "refunds"),
    ("cancellation refunds", "refunds_cancellations"),
    ("return refunds", "refunds_returns"),
    ("discounts", "discounts"),
    ("net", "net"),
)
ROW_FIGURES = ("orders", "units", "revenue", "refunds")


def compare_sales(report: SalesReport, ledger: SalesReport) -> Iterator[tuple[str, object, object]]:
    """(figure, the report's value, the ledger's value) for every figure of the report."""
    for name, attr in TOTALS:
        yield f"sales {name}", getattr(report, attr), getattr(ledger, attr)
    for section in SECTIONS:
        ours = getattr(report, f"by_{section}")
        theirs = getattr(ledger, f"by_{section}")
        yield (
            f"sales by {section}: labels",
            [r.label for r in ours],
            [r.label for r in theirs],
        )
        for a, b in zip(ours, theirs, strict=False):
            for figure in ROW_FIGURES:
                yield (
                    f"sales by {section} {a.label!r} {figure}",
                    getattr(a, figure),
                    getattr(b, figure),
                )
        # A breakdown adds up to the totals (orders too, except categories: an order spans several).
        for figure, total in (("revenue", report.revenue), ("refunds", report.refunds)):
            yield f"sales by {section}: sum of {figure}", sum_of(ours, figure), total
        if section != "category":
            yield f"sales by {section}: sum of orders", sum(r.orders for r in ours), report.orders


def sum_of(rows: Iterable[SalesRow], figure: str) -> Decimal:
    return sum((getattr(r, figure) for r in rows), Decimal("0.00"))


def compare_payments(
    s: TxSession, start: datetime, end: datetime
) -> Iterator[tuple[str, object, object]]:
    """What receipts print (the payments) against the ledger rows that record them."""
    for r in sql.rows(s, PAYMENTS_VS_LEDGER, {"start": start, "end": end}):
        if r.row_id is None:
            yield f"payment #{r.payment_id} ledger row", "a succeeded payment", "none"
        elif r.payment_id is None:
            yield f"ledger row #{r.row_id} payment", "none", f"a {r.t_kind}"
        else:
            yield (
                f"payment #{r.payment_id} (kind, order, method, amount)",
                (r.p_kind, r.p_order, r.p_method, r.p_amount),
                (r.t_kind, r.t_order, r.t_method, r.t_amount),
            )


def compare_session(s: TxSession, session: Any) -> Iterator[tuple[str, object, object]]:
    """A closed session's Z-report figures against its linked ledger rows."""
    z = z_figures(s, s.get_one(m.CashSession, session.id))
    by: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    charged: set[int] = set()
    cancellations = 0
    for kind, method, amount, order_id, refund_for in sql.rows(s, SESSION_ROWS, {"id": session.id}):
        by[(kind, method)][0] += 1
        by[(kind, method)][1] += to_paise(amount)
        if kind == "charge":
            charged.add(order_id)
        elif refund_for == "cancellation":
            cancellations += 1
    moves: dict[str, int] = defaultdict(int)
    for direction, amount in sql.rows(s, SESSION_MOVES, {"id": session.id}):
        moves[direction] += to_paise(amount)
    name = f"Z-report #{session.id}"
    yield f"{name} orders", z["orders"], len(charged)
    yield f"{name} cancellations", z["cancellations"], cancellations
    for kind, rows in (("charge", z["sales_by_method"]), ("refund", z["refunds_by_method"])):
        ours = sorted((r.label, r.orders, r.revenue) for r in rows)
        theirs = sorted((method, n, cents(p)) for (k, method), (n, p) in by.items() if k == kind)
        yield f"{name} {kind}s by method", ours, theirs
    gross = sum(p for (k, _), (_, p) in by.items() if k == "charge")
    refunds = sum(p for (k, _), (_, p) in by.items() if k == "refund")
    yield f"{name} gross", z["gross"], cents(gross)
    yield f"{name} refunds", z["refunds"], cents(refunds)
    yield f"{name} net", z["gross"] - z["refunds"], cents(gross - refunds)
    cash = by[("charge", "cash")][1] - by[("refund", "cash")][1] + moves["in"] - moves["out"]
    expected = session.opening_float + cents(cash)
    yield f"{name} expected cash", z["expected_cash"], expected
    yield f"{name} expected cash frozen at close", session.expected_cash, expected


def ledger_window(s: TxSession) -> tuple[datetime, datetime]:
    """All of the ledger and the closed sessions, to today, in whole UTC days."""
    first, last = sql.row(s, LEDGER_SPAN, {}) or (None, None)
    now = datetime.now(UTC)
    first, last = (first or now).astimezone(UTC), (last or now).astimezone(UTC)
    day = first.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, last.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def verify_books(s: TxSession, start: datetime | None, end: datetime | None) -> BooksCheck:
    """Run inside one repeatable-read snapshot, so the report and the rows are the same moment."""
    sql.run(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", {})
    whole = ledger_window(s)
    start, end = start or whole[0], end or whole[1]
    if end <= start:
        raise InvalidInput("the window ends before it starts")
    checks = list(compare_sales(sales_figures(s, start, end), ledger_sales(s, start, end)))
    checks += compare_payments(s, start, end)
    sessions = sql.rows(s, CLOSED_SESSIONS, {"start": start, "end": end})
    for session in sessions:
        checks += compare_session(s, session)
    problems = tuple(
        f"{figure} differs: the report says {fmt(ours)}, the ledger {fmt(theirs)}"
        for figure, ours, theirs in checks
        if ours != theirs
    )
    return BooksCheck(start, end, len(checks), len(sessions), problems)


def fmt(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else str(value)
