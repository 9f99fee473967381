"""Sales figures for the staff screens and `workshop report`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services._tx import read_only
from workshop_tui.services.auth import require_staff
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.types import Account, SalesReport, SalesRow

SOLD = ("paid", "fulfilled", "partially_returned", "returned")


def start_of_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class ReportService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sales_today(self, actor: Account, *, now: datetime | None = None) -> SalesReport:
        start = start_of_day(now or datetime.now(UTC))
        return self.sales(actor, start, start + timedelta(days=1))

    def sales(self, actor: Account, start: datetime, end: datetime) -> SalesReport:
        """Orders paid in [start, end): revenue by seller, hour (UTC) and method; refunds in the range."""
        require_staff(actor)
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise InvalidInput("a report needs an aware start before its end")
        paid = (m.Order.paid_at >= start, m.Order.paid_at < end, m.Order.status.in_(SOLD))
        units = (
            select(m.OrderItem.order_id, func.sum(m.OrderItem.quantity).label("units"))
            .group_by(m.OrderItem.order_id)
            .subquery()
        )

        def grouped(s: Session, label, *joins) -> tuple[SalesRow, ...]:
            stmt = select(
                label,
                func.count(m.Order.id),
                func.coalesce(func.sum(units.c.units), 0),
                func.coalesce(func.sum(m.Order.total), 0),
            ).join(units, units.c.order_id == m.Order.id)
            for target, on in joins:
                stmt = stmt.join(target, on)
            rows = s.execute(stmt.where(*paid).group_by(label).order_by(label)).all()
            return tuple(SalesRow(str(r[0]), r[1], int(r[2]), Decimal(r[3])) for r in rows)

        def work(s: Session) -> SalesReport:
            hour = func.to_char(func.timezone("UTC", m.Order.paid_at), "HH24")
            method = (
                select(m.Payment.method)
                .where(
                    m.Payment.order_id == m.Order.id,
                    m.Payment.kind == "charge",
                    m.Payment.status == "succeeded",
                )
                .limit(1)
                .scalar_subquery()
            )
            by_seller = grouped(s, m.Seller.name, (m.Seller, m.Seller.id == m.Order.seller_id))
            totals = s.execute(
                select(func.count(m.Order.id), func.coalesce(func.sum(m.Order.total), 0)).where(
                    *paid
                )
            ).one()
            refunds = s.scalar(
                select(func.coalesce(func.sum(m.Payment.amount), 0)).where(
                    m.Payment.kind == "refund",
                    m.Payment.created_at >= start,
                    m.Payment.created_at < end,
                )
            )
            return SalesReport(
                start=start,
                end=end,
                orders=totals[0],
                revenue=Decimal(totals[1]),
                refunds=Decimal(refunds),
                by_seller=by_seller,
                by_hour=grouped(s, hour),
                by_method=grouped(s, method),
                by_category=by_category(s, start, end),
            )

        return read_only(self.db, work)


def by_category(s: Session, start: datetime, end: datetime) -> tuple[SalesRow, ...]:
    """Revenue by category, from order lines (an order can span categories).

    Line revenue is its share of the order's total, so order discounts are spread in proportion.
    """
    line_revenue = (
        m.OrderItem.quantity
        * m.OrderItem.unit_price
        * m.Order.total
        / func.nullif(m.Order.subtotal, 0)
    )
    rows = s.execute(
        select(
            m.Category.name,
            func.count(func.distinct(m.Order.id)),
            func.sum(m.OrderItem.quantity),
            func.coalesce(func.sum(line_revenue), 0),
        )
        .join(m.OrderItem, m.OrderItem.order_id == m.Order.id)
        .join(m.Product, m.Product.id == m.OrderItem.product_id)
        .join(m.Category, m.Category.id == m.Product.category_id)
        .where(m.Order.paid_at >= start, m.Order.paid_at < end, m.Order.status.in_(SOLD))
        .group_by(m.Category.name)
        .order_by(m.Category.name)
    ).all()
    return tuple(
        SalesRow(r[0], r[1], int(r[2]), Decimal(r[3]).quantize(Decimal("0.01"))) for r in rows
    )


def report_csv(report: SalesReport) -> str:
    """One CSV of every breakdown: section,label,orders,units,revenue (plus totals)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "label", "orders", "units", "revenue"])
    writer.writerow(
        ["total", "sales", report.orders, sum(r.units for r in report.by_seller), report.revenue]
    )
    writer.writerow(["total", "refunds", "", "", report.refunds])
    for section, rows in (
        ("seller", report.by_seller),
        ("category", report.by_category),
        ("method", report.by_method),
        ("hour", report.by_hour),
    ):
        for row in rows:
            writer.writerow([section, row.label, row.orders, row.units, row.revenue])
    return out.getvalue()
