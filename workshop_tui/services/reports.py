"""Sales figures for the staff screens, the web and `workshop report` (defined in money_figures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from workshop_tui.db.engine import Database
from workshop_tui.services._tx import read_only
from workshop_tui.services.auth import require_staff
from workshop_tui.services.books import BooksCheck, verify_books
from workshop_tui.services.errors import InvalidInput
from workshop_tui.services.money_figures import SECTIONS, sales_figures
from workshop_tui.services.types import Account, SalesReport

if TYPE_CHECKING:  # the transaction services._tx hands to its work
    from workshop_tui.db.engine import TxSession


def start_of_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise InvalidInput("a report needs an aware start before its end")


class ReportService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sales_today(self, actor: Account, *, now: datetime | None = None) -> SalesReport:
        start = start_of_day(now or datetime.now(UTC))
        return self.sales(actor, start, start + timedelta(days=1))

    def sales(self, actor: Account, start: datetime, end: datetime) -> SalesReport:
        """The money figures of [start, end): gross, refunds, net, by seller, category, method, hour."""
        require_staff(actor)
        check_window(start, end)

        def work(s: TxSession) -> SalesReport:
            return sales_figures(s, start, end)

        return read_only(self.db, work)

    def verify(self, start: datetime | None = None, end: datetime | None = None) -> BooksCheck:
        """Every figure of the sales report and of the closed Z-reports against the ledger.

        Without a window: the whole ledger. Like `ledger verify`, a check for whoever runs the
        shop's database, so it asks for no staff login.
        """
        for moment in (start, end):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("a window's ends are aware times")
        return read_only(self.db, lambda s: verify_books(s, start, end))


def report_csv(report: SalesReport) -> str:
    """One CSV of every breakdown: section,label,orders,units,revenue,refunds,net (plus totals)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "label", "orders", "units", "revenue", "refunds", "net"])
    writer.writerow(
        ["total", "sales", report.orders, report.units, report.revenue, report.refunds, report.net]
    )
    for label, amount in (
        ("refunds_cancellations", report.refunds_cancellations),
        ("refunds_returns", report.refunds_returns),
        ("discounts", report.discounts),
    ):
        writer.writerow(["total", label, "", "", "", amount, ""])
    for section in SECTIONS:
        for row in getattr(report, f"by_{section}"):
            writer.writerow(
                [section, row.label, row.orders, row.units, row.revenue, row.refunds, row.net]
            )
    return out.getvalue()


def report_lines(report: SalesReport) -> list[str]:
    """The report as text lines for the command line."""
    last_day = report.end - timedelta(days=1)
    lines = [
        f"sales {report.start:%Y-%m-%d} to {last_day:%Y-%m-%d}: {report.orders} orders, "
        f"revenue {report.revenue:,.2f}, refunds {report.refunds:,.2f}, net {report.net:,.2f}",
        f"  gross sales        {report.revenue:>16,.2f}",
        f"  discounts given    {report.discounts:>16,.2f}  (already off gross sales)",
        f"  refunds            {report.refunds:>16,.2f}",
        f"    cancellations    {report.refunds_cancellations:>16,.2f}",
        f"    returns          {report.refunds_returns:>16,.2f}",
        f"  net                {report.net:>16,.2f}",
    ]
    for section in SECTIONS:
        lines.append(f"by {section}:")
        for row in getattr(report, f"by_{section}"):
            lines.append(
                f"  {row.label:<30} {row.orders:>6} orders {row.units:>7} units"
                f" {row.revenue:>14,.2f} refunds {row.refunds:>12,.2f} net {row.net:>14,.2f}"
            )
    return lines
