"""A paid order's receipt as a Rich renderable, and as the plain text saved to disk."""

from __future__ import annotations

from datetime import datetime
from io import StringIO

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from workshop_tui.services.types import PaymentResult
from workshop_tui.widgets.format import money

RECEIPT_WIDTH = 48


def format_time(moment: datetime) -> str:
    """Receipt times in the terminal's local zone (tests replace this for a fixed clock)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def render_receipt(result: PaymentResult) -> RenderableType:
    order, payment = result.order, result.payment
    head = Text(justify="center")
    head.append("WORKSHOP\n", style="bold")
    head.append(f"{order.seller_name}\n")  # Text.append never parses markup
    head.append(f"Order #{order.id}  ·  {format_time(payment.created_at)}")
    lines = Table.grid(expand=True, padding=(0, 1))
    lines.add_column(ratio=1, overflow="fold")
    lines.add_column(justify="right", no_wrap=True)
    lines.add_column(justify="right", no_wrap=True)
    for line in order.lines:
        lines.add_row(
            Text(line.name), f"{line.quantity} × {money(line.unit_price)}", money(line.line_total)
        )
    totals = Table.grid(expand=True)
    totals.add_column(ratio=1)
    totals.add_column(justify="right")
    if order.discount_total:
        totals.add_row("Subtotal", money(order.subtotal))
        totals.add_row("Discount", "-" + money(order.discount_total))
    totals.add_row(Text("TOTAL", style="bold"), Text(money(order.total), style="bold"))
    totals.add_row(f"Paid by {payment.method.upper()}", payment.reference)
    if payment.tendered is not None and payment.change is not None:
        totals.add_row("Cash tendered", money(payment.tendered))
        totals.add_row(Text("CHANGE", style="bold"), Text(money(payment.change), style="bold"))
    foot = Text(justify="center")
    if payment.ledger is not None:
        ref = payment.ledger
        foot.append(f"Ledger {ref.chain} #{ref.seq} · {ref.short_hash}\n")
    foot.append(f"Customer: {order.customer_name}\n")
    foot.append("Thank you!")
    return Group(head, Rule(style="dim"), lines, Rule(style="dim"), totals, Rule(style="dim"), foot)


def receipt_text(result: PaymentResult) -> str:
    """The same receipt as plain text (no colours), as saved under data_dir/receipts."""
    console = Console(
        file=StringIO(), width=RECEIPT_WIDTH, color_system=None, force_terminal=False, record=True
    )
    console.print(render_receipt(result))
    return console.export_text()
