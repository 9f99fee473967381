"""An order's details as a Rich renderable: lines, totals, payments with ledger positions."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from workshop_tui.screens.staff_common import money, status_label, when
from workshop_tui.services.types import Order


def order_details(order: Order, *, staff: bool) -> Group:
    """Lines, totals, payments with their ledger position, refunds, cancel reason."""
    head = Text.assemble(
        (f"Order #{order.id}", "bold"),
        f" · {status_label(order)} · ",
        order.seller_name,
        f" · placed {when(order.created_at)}",
    )
    if staff:
        head.append(f"\nCustomer: {order.customer_name} (#{order.customer_id})")
    lines = Table.grid(padding=(0, 1), expand=True)
    lines.add_column(justify="right", width=4)
    lines.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    lines.add_column(no_wrap=True)  # returned units, kept visible however long the name
    lines.add_column(justify="right")
    lines.add_column(justify="right")
    for line in order.lines:
        lines.add_row(
            f"{line.quantity}×",
            Text(f"{line.name} {line.sku}"),
            Text(f"{line.returned_qty} returned", "yellow") if line.returned_qty else "",
            f"@ {money(line.unit_price)}",
            money(line.line_total),
        )
    totals = Text(f"Total {money(order.total)}", style="bold", justify="right")
    if order.discount_total:
        totals = Text(
            f"Subtotal {money(order.subtotal)} · discount {money(order.discount_total)} · "
            f"total {money(order.total)}",
            style="bold",
            justify="right",
        )
    parts: list[RenderableType] = [head, lines, totals]
    if order.payments:
        pays = Table.grid(padding=(0, 1))
        for pay in order.payments:
            ledger = (
                f"{pay.ledger.chain} #{pay.ledger.seq} {pay.ledger.short_hash}"
                if pay.ledger
                else "-"
            )
            pays.add_row(
                pay.kind,
                pay.method,
                pay.status,
                money(pay.amount),
                Text(pay.reference),
                Text(ledger, style="dim"),
            )
        parts += [Text("Payments", style="bold"), pays]
    if order.refunded_total:
        parts.append(Text(f"Refunded {money(order.refunded_total)}", style="bold"))
    if order.cancel_reason:
        parts.append(Text(f"Cancelled: {order.cancel_reason}"))
    return Group(*parts)
