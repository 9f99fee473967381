"""A Z-report as plain text (screen, file, 42-column printer) and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from workshop_tui.services.ledger_codec import short_hash
from workshop_tui.services.receipts import PRINTER_WIDTH, rupees
from workshop_tui.services.types import ZReport


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "open"


def as_text(z: ZReport, width: int = PRINTER_WIDTH) -> str:
    lines: list[str] = []

    def pair(left: str, right: str) -> None:
        lines.append(f"{left:<{width - len(right) - 1}} {right}")

    rule = "-" * width
    s = z.session
    lines.append(("Z-REPORT" if s.closed_at else "X-REPORT (session open)").center(width).rstrip())
    pair(f"Session #{s.id}", s.terminal_id)
    pair("Opened", _when(s.opened_at))
    pair("Closed", _when(s.closed_at))
    lines.append(rule)
    lines.append("Sales by method")
    for row in z.sales_by_method:
        pair(f"  {row.label.upper()} x{row.orders}", rupees(row.revenue))
    pair("Gross sales", rupees(z.gross))
    lines.append("Refunds by method")
    for row in z.refunds_by_method:
        pair(f"  {row.label.upper()} x{row.orders}", "-" + rupees(row.revenue))
    pair("Refunds", "-" + rupees(z.refunds))
    pair("NET", rupees(z.net))
    pair("Orders", str(z.orders))
    pair("Cancellations", str(z.cancellations))
    lines.append(rule)
    pair("Opening float", rupees(s.opening_float))
    pair("Cash in", rupees(z.cash_in))
    pair("Cash out", "-" + rupees(z.cash_out))
    pair("Expected cash", rupees(z.expected_cash))
    difference = z.difference
    if z.counted_cash is not None and difference is not None:
        pair("Counted cash", rupees(z.counted_cash))
        pair("Difference", ("+" if difference > 0 else "") + rupees(difference))
    lines.append(rule)
    lines.append("Ledger heads at close" if s.closed_at else "Ledger heads now")
    for head in z.ledger_heads:
        pair(f"  {head.chain} #{head.seq}", short_hash(head.hash))
    return "\n".join(lines) + "\n"


def as_csv(z: ZReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "label", "count", "amount"])
    s = z.session
    writer.writerow(["session", "id", "", s.id])
    writer.writerow(["session", "terminal", "", s.terminal_id])
    writer.writerow(["session", "opened_at", "", s.opened_at.isoformat()])
    writer.writerow(["session", "closed_at", "", s.closed_at.isoformat() if s.closed_at else ""])
    for row in z.sales_by_method:
        writer.writerow(["sales", row.label, row.orders, row.revenue])
    for row in z.refunds_by_method:
        writer.writerow(["refunds", row.label, row.orders, row.revenue])
    for label, value in (
        ("gross", z.gross),
        ("refunds", z.refunds),
        ("net", z.net),
        ("opening_float", s.opening_float),
        ("cash_in", z.cash_in),
        ("cash_out", z.cash_out),
        ("expected_cash", z.expected_cash),
        ("counted_cash", "" if z.counted_cash is None else z.counted_cash),
        ("difference", "" if z.difference is None else z.difference),
    ):
        writer.writerow(["totals", label, "", value])
    writer.writerow(["totals", "orders", z.orders, ""])
    writer.writerow(["totals", "cancellations", z.cancellations, ""])
    for head in z.ledger_heads:
        writer.writerow(["ledger_head", head.chain, head.seq, head.hash])
    return out.getvalue()
